"""What help at the counter refuses.

    PrachaError
    ├── CounterSessionNotFound (404, counter_session_not_found)  not there, or not yours to see or close
    ├── Conflict (409)
    │   ├── ConsentFailed (409, consent_failed)          5 wrong codes: the session is refused, start again
    │   ├── ConsentExpired (409, consent_expired)        the code is older than 15 minutes: start again
    │   └── CounterSessionClosed (409, counter_session_closed)  the session was closed (or refused) already
    └── InvalidInput (422)                               fields of the start form (`invalid_input`), and:
        ├── NoAccountForId (422, no_account_for_id)      no Pracha account: give the name and birth date to make one
        ├── NoPhoneForCode (422, no_phone_for_code)      no phone on the account: use the signed form
        └── WrongConsentCode (422, wrong_consent_code)   not the code sent; `tries_left` says how many remain
"""

from __future__ import annotations

from pracha.errors import Conflict, InvalidInput, NotFound


class CounterSessionNotFound(NotFound):
    code = "counter_session_not_found"
    message_th = "ไม่พบการให้บริการที่เคาน์เตอร์นี้"
    message_en = "No such counter session."


class ConsentFailed(Conflict):
    code = "consent_failed"
    message_th = "กรอกรหัสยืนยันผิดเกินจำนวนครั้งที่กำหนด การให้บริการนี้ถูกยกเลิก กรุณาเริ่มใหม่"
    message_en = "Too many wrong codes: this counter session was refused. Please start again."


class ConsentExpired(Conflict):
    code = "consent_expired"
    message_th = "รหัสยืนยันหมดอายุแล้ว (ใช้ได้ 15 นาที) กรุณาเริ่มการให้บริการใหม่"
    message_en = "The code has expired (it is valid for 15 minutes). Please start the counter session again."


class CounterSessionClosed(Conflict):
    code = "counter_session_closed"
    message_th = "การให้บริการที่เคาน์เตอร์นี้สิ้นสุดแล้ว"
    message_en = "This counter session has ended."


class NoAccountForId(InvalidInput):
    code = "no_account_for_id"
    message_th = ("ยังไม่มีบัญชี Pracha สำหรับเลขประจำตัวประชาชนนี้ หากต้องการสร้างบัญชีจากบัตรประจำตัวประชาชน "
                  "กรุณากรอกชื่อ นามสกุล และวันเกิด แล้วใช้แบบฟอร์มความยินยอมที่ลงลายมือชื่อ")
    message_en = ("No Pracha account has this national ID. To create one from the ID card, fill in the first "
                  "and last name and the date of birth, and use the signed consent form.")


class NoPhoneForCode(InvalidInput):
    code = "no_phone_for_code"
    message_th = ("บัญชีนี้ไม่มีหมายเลขโทรศัพท์สำหรับส่งรหัสยืนยัน "
                  "กรุณาใช้แบบฟอร์มความยินยอมที่ผู้มาติดต่อลงลายมือชื่อ แล้วสแกนแนบ")
    message_en = ("This account has no phone number to send a code to. "
                  "Use the consent form signed by the visitor, scanned and attached.")


class WrongConsentCode(InvalidInput):
    code = "wrong_consent_code"
    message_th = "รหัสยืนยันไม่ถูกต้อง"
    message_en = "The code is not correct."
