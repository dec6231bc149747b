import sys
from itertools import groupby


def main():
    data = sys.stdin.read().split()
    t = int(data[0])
    pos = 1
    out = []
    for _ in range(t):
        k = int(data[pos])
        s = data[pos + 1]
        w = data[pos + 2]
        pos += 3
        rs = [(c, len(list(g))) for c, g in groupby(s)]
        rw = [(c, len(list(g))) for c, g in groupby(w)]
        ok = len(rs) == len(rw) and all(c1 == c2 and b >= a for (c1, a), (c2, b) in zip(rs, rw))
        out.append("YES" if ok else "NO")
    print("\n".join(out))


main()
