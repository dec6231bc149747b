import sys


def main():
    data = sys.stdin.buffer.read().split()
    n, q = int(data[0]), int(data[1])
    col = data[2:2 + n]
    qs = [(int(data[2 + n + 2 * i]), int(data[3 + n + 2 * i]), i) for i in range(q)]
    qs.sort(key=lambda t: t[1])
    tree = [0] * (n + 1)

    def add(i, v):
        while i <= n:
            tree[i] += v
            i += i & -i

    def pref(i):
        s = 0
        while i > 0:
            s += tree[i]
            i &= i - 1
        return s

    last = {}
    ans = [0] * q
    k = 0
    for r in range(1, n + 1):
        c = col[r - 1]
        add(r, 1)
        if c in last:
            add(last[c], -2)
        last[c] = r
        while k < q and qs[k][1] == r:
            l, _, qi = qs[k]
            ans[qi] = pref(r) - pref(l - 1)
            k += 1
    print("\n".join(map(str, ans)))


main()
