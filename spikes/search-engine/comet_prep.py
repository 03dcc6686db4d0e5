"""mzML -> MGF for Debian comet-ms 2019.01 (its mzML reader returns 0 spectra); then Comet txt -> TSV."""
import sys, gzip, json, time, csv, math
t0 = time.process_time()
if sys.argv[1] == "mgf":
    sys.path.insert(0, "/tmp/science"); import sage_search as ss
    t_read = 0.0
    with open(sys.argv[3], "w") as out:              # plain writer: pyteomics.mgf.write is ~4x slower
        for i, (sid, rt, pmz, z, lo, hi, mz, it) in enumerate(ss.read_ms2(sys.argv[2])):
            t1 = time.process_time()
            out.write(f"BEGIN IONS\nTITLE={sid}\nPEPMASS={pmz:.6f}\nRTINSECONDS={rt:.3f}\nSCANS={i + 1}\n")
            if z: out.write(f"CHARGE={z}+\n")
            out.write("".join(f"{m:.4f} {v:.1f}\n" for m, v in zip(mz.tolist(), it.tolist())) + "END IONS\n")
            t_read += time.process_time() - t1
    print(json.dumps(dict(timing=dict(mgf_write=round(t_read, 3)))))
else:  # parse comet txt
    rows = []
    with open(sys.argv[2]) as fh:
        next(fh)  # 'CometVersion ...' line
        for r in csv.DictReader(fh, delimiter="\t"):
            prots = r["protein"].split(",")
            rows.append(dict(spec=r["scan"], peptide=r["plain_peptide"], modified=r["modified_peptide"],
                             charge=r["charge"], score=-math.log10(max(float(r["e-value"]), 1e-300)),
                             xcorr=r["xcorr"], decoy=all(p.startswith("DECOY_") for p in prots),
                             proteins=";".join(prots)))
    with open(sys.argv[3], "w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]), delimiter="\t"); w.writeheader(); w.writerows(rows)
