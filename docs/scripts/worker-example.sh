#!/usr/bin/env bash
# Regenerates docs/public/worker-example/ by running the default worker on the BSA test file
# (testdata/ms/BSA1.mzML.gz with P02769_BSA.fasta, default parameters): the four figures, the
# 30 best-scoring rows of peptides.csv and an excerpt of summary.json (timestamps, environment and the long QC traces left out) that the page
# "Reading a result" includes at build time. Needs the worker's virtualenv (cd worker && see its
# README); the test data is in the repository. Usage: bash docs/scripts/worker-example.sh
set -euo pipefail
DOCS="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
REPO="$(cd "$DOCS/.." && pwd)"
DATA="${PROTEOMICS_TESTDATA:-$REPO/testdata/ms}"
[ -f "$DATA/BSA1.mzML.gz" ] || { echo "worker-example: $DATA/BSA1.mzML.gz is missing" >&2; exit 1; }
PY="$REPO/worker/.venv/bin/python"
[ -x "$PY" ] || { echo "worker-example: $PY is missing; set up the worker's virtualenv first" >&2; exit 1; }
OUT="$DOCS/public/worker-example"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
(cd "$REPO/worker" && "$PY" -m proteomics_worker analyse --input "$DATA/BSA1.mzML.gz" \
  --fasta "$DATA/P02769_BSA.fasta" --output "$TMP/out" --file-id bsa1 --name BSA1 \
  --execution-name worker-example-1)
rm -rf "$OUT" && mkdir -p "$OUT"
cp "$TMP/out/"*.png "$OUT/"
head -n 31 "$TMP/out/peptides.csv" > "$OUT/peptides.csv"
node -e '
const fs = require("fs");
const s = JSON.parse(fs.readFileSync(process.argv[1], "utf8"));
const keep = ["schemaVersion", "executionName", "status", "fileId", "experimentType", "experimentTypeReason", "acquisition", "parameters", "identification", "counts", "classes", "coverage", "massError", "qcFlags", "warnings"];
const out = Object.fromEntries(keep.filter((k) => k in s).map((k) => [k, s[k]]));
if (s.qc && s.qc.identification) out.qc = { identification: s.qc.identification };
fs.writeFileSync(process.argv[2], JSON.stringify(out, null, 2) + "\n");
' "$TMP/out/summary.json" "$OUT/summary-excerpt.json"
echo "worker-example: wrote $(ls "$OUT" | wc -l) files to ${OUT#"$REPO"/}"
