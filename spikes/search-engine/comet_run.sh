#!/bin/bash
# usage: comet_run.sh DB.fasta OUTPREFIX   (Debian comet-ms 2019.01, MGF input, concatenated reverse decoys)
set -e
DB=$(readlink -f "$1"); OUT=$(readlink -f "$2"); W=$(mktemp -d /tmp/science/work/comet.XXXX)
PY=/tmp/science/venv/bin/python
$PY /tmp/science/comet_prep.py mgf /work/main/testdata/ms/BSA1.mzML.gz $W/BSA1.mgf >/dev/null
sed -e "s#^database_name = .*#database_name = $DB#" -e 's#^decoy_search = .*#decoy_search = 1#' \
    -e 's#^num_threads = .*#num_threads = 1#' -e 's#^peptide_mass_tolerance = .*#peptide_mass_tolerance = 10.0#' \
    -e 's#^isotope_error = .*#isotope_error = 1#' -e 's#^output_txtfile = .*#output_txtfile = 1#' \
    -e 's#^output_pepxmlfile = .*#output_pepxmlfile = 0#' -e 's#^num_output_lines = .*#num_output_lines = 1#' \
    -e 's#^precursor_charge = .*#precursor_charge = 2 3#' -e 's#^variable_mod01 = .*#variable_mod01 = 15.9949 M 0 2 -1 0 0 0.0#' \
    /tmp/science/work/comet/comet.params.new > $W/comet.params
# defaults kept: fragment_bin_tol 1.0005 / offset 0.4 (low-res), add_C_cysteine 57.021464, trypsin, 2 missed cleavages
(cd $W && comet-ms -Pcomet.params BSA1.mgf >/dev/null 2>&1)
$PY /tmp/science/comet_prep.py txt $W/BSA1.txt $OUT.tsv
rm -rf $W
