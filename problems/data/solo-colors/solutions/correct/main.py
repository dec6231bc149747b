import sys


def main():
    data = sys.stdin.buffer.read().split()
    n, q = int(data[0]), int(data[1])
    col = data[2:2 + n]
    ls = list(map(int, data[2 + n:2 + n + 2 * q:2]))
    rs = list(map(int, data[3 + n:3 + n + 2 * q:2]))
    by_r = [[] for _ in range(n + 1)]
    for i in range(q):
        by_r[rs[i]].append(i)

    # After processing position r, the value stored at position p is
    #   +1 if p is the last occurrence of its color among positions 1..r,
    #   -1 if p is the second to last occurrence,
    #    0 otherwise.
    # A color then contributes exactly 1 to the sum over [l, r] iff it occurs
    # exactly once in that range.
    tree = [0] * (n + 1)
    last = {}
    last2 = {}
    total = 0
    ans = [0] * q
    for r in range(1, n + 1):
        c = col[r - 1]
        p1 = last.get(c, 0)
        p2 = last2.get(c, 0)
        # position r: 0 -> +1
        i = r
        while i <= n:
            tree[i] += 1
            i += i & -i
        total += 1
        if p1:
            # previous last occurrence: +1 -> -1
            i = p1
            while i <= n:
                tree[i] -= 2
                i += i & -i
            total -= 2
            if p2:
                # previous second to last occurrence: -1 -> 0
                i = p2
                while i <= n:
                    tree[i] += 1
                    i += i & -i
                total += 1
            last2[c] = p1
        last[c] = r
        for qi in by_r[r]:
            i = ls[qi] - 1
            s = 0
            while i > 0:
                s += tree[i]
                i &= i - 1
            ans[qi] = total - s
    sys.stdout.write("\n".join(map(str, ans)) + "\n")


main()
