"""LAMMPS data files for the test scripts (one reader for all of them).

DataFile(path) holds the header's box (axis -> (lo, hi)) and counts
("atoms" -> n, ...), and each section's rows as lists of fields, comments
stripped, in file order; styles[name] is the comment on a section's
header line ("atomic", "full", "lj/cut", ...), or None.
"""


class DataFile:
    def __init__(self, path):
        self.box, self.counts, self.sections, self.styles = {}, {}, {}, {}
        sec = None
        with open(path) as fp:
            next(fp)  # the title line
            for raw in fp:
                head, _, comment = raw.partition("#")
                line = head.strip()
                if not line:
                    continue
                f = line.split()
                if len(f) == 4 and f[2].endswith("lo") and f[3].endswith("hi"):
                    self.box[f[2][0]] = (float(f[0]), float(f[1]))
                elif f[0][0].isalpha():  # a section's header line
                    sec = line
                    self.sections[sec] = []
                    self.styles[sec] = comment.strip() or None
                elif sec is None:  # "N atoms", "N atom types", tilts
                    if len(f) >= 2 and f[0].isdigit():
                        self.counts[" ".join(f[1:])] = int(f[0])
                else:
                    self.sections[sec].append(f)

    def lengths(self):
        """Box lengths along x, y, z."""
        return [self.box[a][1] - self.box[a][0] for a in "xyz"]

    def atoms(self):
        """The Atoms rows, sorted by atom id."""
        return sorted(self.sections["Atoms"], key=lambda f: int(f[0]))

    def per_type(self, name, col=1):
        """Section NAME (Masses, Pair Coeffs) as type -> float of column COL,
        or with col a tuple, type -> tuple of floats."""
        if isinstance(col, tuple):
            return {int(f[0]): tuple(float(f[c]) for c in col)
                    for f in self.sections[name]}
        return {int(f[0]): float(f[col]) for f in self.sections[name]}
