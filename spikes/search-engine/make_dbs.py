"""Build benchmark FASTA files: BSA + contaminants (alphabase 1.10.2) + N random entrapment proteins.

Amino-acid background: UniProtKB/Swiss-Prot release statistics, "amino acid composition" table
(percent; values as tabulated in the Swiss-Prot relstat page of a ~2021-2022 release; could not be
re-checked against the live page from this offline machine; releases differ by <=0.02 pp).
Lengths: log-normal, median 400 aa, sigma 0.6 (mean ~480 aa), clipped to 50..3000; first residue M.
"""
import sys, zipfile, glob
import numpy as np

SWISSPROT_AA_PCT = {  # UniProtKB/Swiss-Prot release statistics, amino acid composition (%)
    "A": 8.25, "Q": 3.93, "L": 9.65, "S": 6.64, "R": 5.53, "E": 6.72, "K": 5.80, "T": 5.35,
    "N": 4.06, "G": 7.07, "M": 2.41, "W": 1.10, "D": 5.46, "H": 2.27, "F": 3.86, "Y": 2.92,
    "C": 1.38, "I": 5.91, "P": 4.74, "V": 6.86,
}
WHEEL_GLOB = "/tmp/science/dl/alphabase==1.10.2/alphabase-1.10.2-py3-none-any.whl"
CON_PATH = "alphabase/constants/const_files/contaminants.fasta"

def read_fasta(text):
    out, h, seq = [], None, []
    for line in text.splitlines():
        if line.startswith(">"):
            if h is not None: out.append((h, "".join(seq)))
            h, seq = line[1:].strip(), []
        elif line.strip():
            seq.append(line.strip())
    if h is not None: out.append((h, "".join(seq)))
    return out

def contaminants(exclude_seqs):
    with zipfile.ZipFile(glob.glob(WHEEL_GLOB)[0]) as z:
        entries = read_fasta(z.read(CON_PATH).decode())
    seen, kept = set(exclude_seqs), []
    for h, s in entries:            # drop exact duplicates of the sample's own proteins (CON_P02769 == BSA)
        if s in seen: continue
        seen.add(s); kept.append((h, s))
    return kept

def entrapment(n, seed=20240601):
    rng = np.random.default_rng(seed)
    aas = np.array(list(SWISSPROT_AA_PCT)); p = np.array(list(SWISSPROT_AA_PCT.values())); p = p / p.sum()
    lens = np.clip(rng.lognormal(np.log(400), 0.6, n).astype(int), 50, 3000)
    return [(f"ENTRAP_{i:06d} random protein (entrapment)", "M" + "".join(rng.choice(aas, L - 1, p=p)))
            for i, L in enumerate(lens)]

def write(path, entries):
    with open(path, "w") as fh:
        for h, s in entries:
            fh.write(f">{h}\n")
            for i in range(0, len(s), 60): fh.write(s[i:i + 60] + "\n")

if __name__ == "__main__":
    bsa = read_fasta(open("/work/main/testdata/ms/P02769_BSA.fasta").read())
    con = contaminants([s for _, s in bsa])
    print(f"BSA entries={len(bsa)} contaminants kept={len(con)}")
    write("work/bsa.fasta", bsa)
    write("work/bsa_con.fasta", bsa + con)
    for n in (0, 2000, 20000):
        e = entrapment(n)
        write(f"work/bsa_con_entrap{n}.fasta", bsa + con + e)
        print(n, "entrapment aa:", sum(len(s) for _, s in e))
