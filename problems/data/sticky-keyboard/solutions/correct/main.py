import sys


def runs(s):
    res = []
    i = 0
    n = len(s)
    while i < n:
        j = i
        while j < n and s[j] == s[i]:
            j += 1
        res.append((s[i], j - i))
        i = j
    return res


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
        rs = runs(s)
        rw = runs(w)
        ok = len(rs) == len(rw)
        if ok:
            for (c1, a), (c2, b) in zip(rs, rw):
                if c1 != c2 or b < a or b > a * k:
                    ok = False
                    break
        out.append("YES" if ok else "NO")
    print("\n".join(out))


main()
