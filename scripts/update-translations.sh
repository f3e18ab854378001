#!/usr/bin/env bash
# Refresh the translation catalogues from the templates. Safe to run again.
#
#   scripts/update-translations.sh          extract `_()` strings to src/pracha/locale/messages.pot and
#                                           merge them into every locale's messages.po (Thai today),
#                                           keeping the translations already there
#   scripts/update-translations.sh --check  change nothing; exit 1 if the .pot or a .po is out of date
#
# After a run, translate the new (empty) and fuzzy entries in src/pracha/locale/th/LC_MESSAGES/messages.po
# and delete their "#, fuzzy" line; tests/test_i18n.py fails while any template string lacks Thai.
# The .po is read directly at run time (pracha.i18n), so there is nothing to compile.
set -euo pipefail

cd "$(dirname "$0")/.."

check=0
case "${1:-}" in
  "") ;;
  --check) check=1 ;;
  *) echo "usage: $0 [--check]" >&2; exit 2 ;;
esac

# The project's virtualenv if there is one (`make install`), else whatever is on PATH.
if [[ -x .venv/bin/pybabel ]]; then
  pybabel="${PYBABEL:-.venv/bin/pybabel}" python="${PYTHON:-.venv/bin/python}"
else
  pybabel="${PYBABEL:-pybabel}" python="${PYTHON:-python3}"
fi

locale_dir=src/pracha/locale
pot="$locale_dir/messages.pot"
locales=(th)
width=100

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

"$pybabel" -q extract \
  --mapping-file=babel.cfg \
  --keywords=_ \
  --sort-by-file \
  --width="$width" \
  --project=Pracha \
  --version="$(sed -n 's/^version = "\(.*\)"/\1/p' pyproject.toml | head -n 1)" \
  --copyright-holder="Pracha contributors" \
  --output-file="$tmp/messages.pot" \
  .

# Ignore the creation date when comparing, so that a run with no new strings leaves the file alone.
same_pot() {
  [[ -f "$pot" ]] && diff -q \
    <(grep -v '^"POT-Creation-Date:' "$pot") \
    <(grep -v '^"POT-Creation-Date:' "$tmp/messages.pot") >/dev/null
}

status=0
if same_pot; then
  current_pot="$pot"
else
  current_pot="$tmp/messages.pot"
  if (( check )); then
    echo "update-translations: $pot is out of date" >&2
    status=1
  else
    cp "$tmp/messages.pot" "$pot"
    echo "update-translations: wrote $pot"
  fi
fi

for lang in "${locales[@]}"; do
  po="$locale_dir/$lang/LC_MESSAGES/messages.po"
  if (( check )); then
    if [[ ! -f "$po" ]] || ! "$pybabel" -q update --check --ignore-pot-creation-date --width="$width" \
        --input-file="$current_pot" --output-file="$po" --locale="$lang" >/dev/null 2>&1; then
      echo "update-translations: $po is out of date" >&2
      status=1
    fi
  else
    mkdir -p "$(dirname "$po")"
    "$pybabel" -q update --init-missing --ignore-pot-creation-date --width="$width" \
      --input-file="$current_pot" --output-file="$po" --locale="$lang"
    echo "update-translations: merged into $po"
  fi
done

if (( ! check )); then
  # Untranslated and fuzzy entries, so the person running this knows what is left to do.
  "$python" - "$locale_dir" "${locales[@]}" <<'PY' 2>/dev/null || true
import sys
from pathlib import Path

from babel.messages.pofile import read_po

base = Path(sys.argv[1])
for lang in sys.argv[2:]:
    with (base / lang / "LC_MESSAGES" / "messages.po").open("rb") as f:
        po = read_po(f, locale=lang)
    todo = [m.id for m in po if m.id and (not m.string or m.fuzzy)]
    print(f"update-translations: {lang}: {len([m for m in po if m.id])} messages, {len(todo)} to translate")
    for msgid in todo:
        print(f"  - {msgid}")
PY
fi

exit "$status"
