import sys


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
        j = 0
        ok = True
        for c in s:
            # each key press produces between 1 and k copies; take as many as possible
            taken = 0
            while j < len(w) and w[j] == c and taken < k:
                j += 1
                taken += 1
            if taken == 0:
                ok = False
                break
        if j != len(w):
            ok = False
        out.append("YES" if ok else "NO")
    print("\n".join(out))


main()
