"""Write Sage results as mzIdentML (psims), mzTab 1.0 PSM section (hand-written) and mzQC (pymzqc);
read back mzTab + mzIdentML with pyteomics. Usage: python write_outputs.py RESULTS.tsv OUTPREFIX"""
import sys, datetime, pandas as pd
from psims.controlled_vocabulary import controlled_vocabulary as cv
cv.obo_cache.use_remote = False; cv.obo_cache.enabled = False
from psims.mzid import MzIdentMLWriter
from mzqc import MZQCFile as qc
from pyteomics import mztab, mzid
d = pd.read_csv(sys.argv[1], sep="\t"); out = sys.argv[2]
acc = d[(~d.decoy.astype(bool)) & (d.engine_q <= 0.01)].copy()  # accepted target PSMs

# --- mzTab 1.0.0, Summary/Identification, PSM section only (minimal mandatory MTD lines) ---
with open(out + ".mzTab", "w") as fh:
    for k, v in [("mzTab-version", "1.0.0"), ("mzTab-mode", "Summary"), ("mzTab-type", "Identification"),
                 ("description", "Sage (sagepy 0.4.6) search of BSA1"), ("ms_run[1]-location", "file:///BSA1.mzML"),
                 ("psm_search_engine_score[1]", "[MS, MS:1002354, PSM-level q-value, ]"),
                 ("software[1]", "[MS, MS:1004007, Sage, 0.4.6]"),
                 ("fixed_mod[1]", "[UNIMOD, UNIMOD:4, Carbamidomethyl, ]"), ("variable_mod[1]", "[UNIMOD, UNIMOD:35, Oxidation, ]")]:
        fh.write(f"MTD\t{k}\t{v}\n")
    cols = ["sequence", "PSM_ID", "accession", "unique", "database", "database_version", "search_engine",
            "search_engine_score[1]", "modifications", "retention_time", "charge", "exp_mass_to_charge",
            "calc_mass_to_charge", "spectra_ref", "pre", "post", "start", "end"]
    fh.write("\nPSH\t" + "\t".join(cols) + "\n")
    for i, r in enumerate(acc.itertuples()):
        vals = [r.peptide, i, r.proteins.replace(";", ","), "null", "null", "null", "[MS, MS:1004007, Sage, ]",
                r.engine_q, "null", "null", r.charge, "null", "null", f"ms_run[1]:{r.spec}", "null", "null", "null", "null"]
        fh.write("PSM\t" + "\t".join(map(str, vals)) + "\n")

# --- mzIdentML 1.1 via psims (already a pinned worker dependency) ---
peps = {p: i for i, p in enumerate(acc.modified.unique())}
with MzIdentMLWriter(open(out + ".mzid", "wb"), close=True) as w:
    w.controlled_vocabularies(); w.provenance(software=[dict(id="sage", name="Sage", version="0.4.6")])
    w.register("SpectraData", 1); w.register("SearchDatabase", 1); w.register("SpectrumIdentificationList", 1)
    with w.sequence_collection():
        for acc_ in sorted({a for p in acc.proteins for a in p.split(";")}):
            w.write_db_sequence(acc_, None, id=acc_, params=[])
        for p, i in peps.items():
            w.write_peptide(acc.loc[acc.modified == p, "peptide"].iloc[0], f"pep_{i}", modifications=[])
        for j, r in enumerate(acc.drop_duplicates(["modified", "proteins"]).itertuples()):
            for a in r.proteins.split(";"):
                w.write_peptide_evidence(f"pep_{peps[r.modified]}", a, f"pe_{j}_{a}", 0, 0, is_decoy=False)
    with w.analysis_collection():
        w.SpectrumIdentification([1], [1]).write(w)
    with w.analysis_protocol_collection():
        w.spectrum_identification_protocol(id=1, search_type="ms-ms search", analysis_software_id="sage",
                                           enzymes=[dict(name="Trypsin", missed_cleavages=2, id=1)])
    with w.data_collection():
        w.inputs(source_files=[], search_databases=[dict(location="file:///db.fasta", file_format="FASTA format", name="db", id=1)],
                 spectra_data=[dict(location="file:///BSA1.mzML", file_format="mzML format",
                                    spectrum_id_format="multiple peak list nativeID format", id=1)])
        with w.analysis_data():
            with w.spectrum_identification_list(id=1):
                for k, r in enumerate(acc.itertuples()):
                    pe = [f"pe_{j}_{a}" for j, rr in enumerate(acc.drop_duplicates(["modified", "proteins"]).itertuples())
                          if rr.modified == r.modified for a in rr.proteins.split(";")]
                    w.write_spectrum_identification_result(spectrum_id=r.spec, id=f"sir_{k}", spectra_data_id=1,
                        identifications=[dict(calculated_mass_to_charge=0, experimental_mass_to_charge=0, charge_state=int(r.charge),
                                              peptide_id=f"pep_{peps[r.modified]}", peptide_evidence_id=pe, score={"PSM-level q-value": float(r.engine_q)},
                                              id=f"sii_{k}")])

# --- mzQC 1.0.0 via pymzqc ---
m = qc.MetaDataParameters(inputFiles=[qc.InputFile(location="file:///BSA1.mzML", name="BSA1",
                                                  fileFormat=qc.CvParameter("MS:1000584", "mzML format"))],
                          analysisSoftware=[qc.AnalysisSoftware(accession="MS:1004007", name="Sage", version="0.4.6")])
metrics = [qc.QualityMetric(accession="MS:4000060", name="number of MS2 spectra", value=1120),
           qc.QualityMetric(accession="MS:1003251", name="count of identified spectra", value=int(len(acc)))]
f = qc.MzQcFile(version="1.0.0", creationDate=datetime.datetime.now().replace(microsecond=0),
                runQualities=[qc.RunQuality(metadata=m, qualityMetrics=metrics)],
                controlledVocabularies=[qc.ControlledVocabulary(name="Proteomics Standards Initiative Mass Spectrometry Ontology",
                                         uri="https://github.com/HUPO-PSI/psi-ms-CV/releases/download/v4.1.258/psi-ms.obo", version="4.1.258")])
open(out + ".mzQC", "w").write(qc.JsonSerialisable.to_json(f, readability=1))

# --- read back ---
t = mztab.MzTab(out + ".mzTab"); print("pyteomics mzTab readback:", t.version, t.spectrum_match_table.shape)
print("pyteomics mzid readback:", sum(1 for _ in mzid.MzIdentML(out + ".mzid", retrieve_refs=True)), "SIRs")
back = qc.JsonSerialisable.from_json(open(out + ".mzQC").read())
print("pymzqc readback:", [(q.accession, q.value) for q in back.runQualities[0].qualityMetrics])
