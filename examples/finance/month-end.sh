#!/bin/sh
# Journey 3 — month-end finance (关税对账), as plain sandan calls: reconcile a month of
# declarations against the customs tax bills and write the report for finance in every format
# it reads: JSON (the record; other tools read it), CSV and an Excel workbook (spreadsheets),
# a page with charts (HTML, opened from disk) and the readable summary.
#
#   examples/finance/month-end.sh examples/finance/2026-11 [output-folder]
#
# The month's folder holds declarations.ndjson (what the platform declared and withheld),
# bills/ (CEB816 tax bills and CEB818 statuses from customs), receipts/ (CEB622/624/626: they
# link bills to orders and mark cancels and refunds) and rates.json.
#
# One call reconciles the month once and writes every file, each in the format of its extension
# (on a terminal it shows a progress bar per phase on standard error; --quiet hides it).
# The summary's waterfall explains the whole difference between tax withheld and tax billed by
# cause; the workbook's Summary sheet and the JSON's summary.waterfall carry the same figures.
# Exit 0 when every order matches its bill, 1 when something needs a look, 2 on errors.
set -u
# sandan on PATH (npm install -g, npm exec), else the project's own: npx, without installing anything.
command -v sandan >/dev/null 2>&1 || sandan() { npx --no -- sandan "$@"; }
month=${1:?usage: month-end.sh <month folder> [output folder]}
out=${2:-month-end}
mkdir -p "$out"
name=$(basename "$month")

# Exit 1 (something does not match) is the month's verdict; 2 (an error) stops here.
status=0
sandan reconcile \
  --declarations "$month/declarations.ndjson" \
  --tax-bills "$month/bills" \
  --receipts "$month/receipts" \
  --rates "$month/rates.json" \
  --out "$out/reconcile-$name.json" \
  --out "$out/reconcile-$name.csv" \
  --out "$out/reconcile-$name.xlsx" \
  --out "$out/reconcile-$name.html" \
  --out "$out/summary-$name.txt" || status=$?
[ "$status" -le 1 ] || exit "$status"
cat "$out/summary-$name.txt"
if [ "$status" -eq 0 ]; then verdict=balanced; else verdict='needs a look'; fi
echo
echo "wrote $out/reconcile-$name.json, .csv, .xlsx, .html and summary-$name.txt: $verdict"
exit "$status"
