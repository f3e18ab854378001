"""What the service tests share: a valid elderly-allowance form and tiny real files."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

ELDERLY_FORM: dict[str, Any] = {
    "payment_method": "bank_transfer", "bank_name": "ktb", "bank_account": "1234567890", "phone": "0812345678",
    "receives_state_pension": False, "lives_in_state_care": False, "receives_state_salary": False,
    "monthly_income": 0,
}
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n" \
      b"trailer<</Root 1 0 R>>\n%%EOF\n"


def image_bytes(size: tuple[int, int] = (8, 8), kind: str = "PNG", **save: Any) -> bytes:
    """A real picture of `size` pixels (JPEG or PNG), as a camera or a scanner would send one."""
    from io import BytesIO

    from PIL import Image

    out = BytesIO()
    Image.new("RGB", size, (200, 120, 40)).save(out, kind, **save)
    return out.getvalue()


PNG = image_bytes()


def upload(client: TestClient, csrf: str, reference: str, requirement: str, *, name: str = "doc.pdf",
           content: bytes = PDF, content_type: str = "application/pdf") -> Any:
    return client.post(f"/api/v1/applications/{reference}/documents", headers={"X-CSRF-Token": csrf},
                       data={"requirement": requirement}, files={"file": (name, content, content_type)})


def ready_application(client: TestClient, csrf: str) -> str:
    """An elderly-allowance draft with its form and required documents, ready to submit."""
    response = client.post("/api/v1/applications", headers={"X-CSRF-Token": csrf},
                           json={"service_id": "elderly-allowance", "data": ELDERLY_FORM})
    assert response.status_code == 201, response.text
    reference = str(response.json()["reference"])
    for requirement in ("id-card", "house-registration"):
        assert upload(client, csrf, reference, requirement).status_code == 201
    return reference


def act(client: TestClient, csrf: str, reference: str, action: str, message: str | None = None, *,
        declaration: bool | None = None) -> Any:
    """An action through the API; `submit` carries the declaration of truth unless told otherwise."""
    body: dict[str, Any] = {"action": action, "message": message}
    if declaration if declaration is not None else action == "submit":
        body["declaration"] = True
    return client.post(f"/api/v1/applications/{reference}/actions", headers={"X-CSRF-Token": csrf}, json=body)
