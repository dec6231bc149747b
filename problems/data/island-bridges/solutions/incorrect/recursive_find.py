import sys


def main():
    data = sys.stdin.buffer.read().split()
    n, q = int(data[0]), int(data[1])
    parent = list(range(n + 1))
    size = [1] * (n + 1)

    def find(x):
        if parent[x] == x:
            return x
        return find(parent[x])

    groups = n
    largest = 1
    out = []
    for i in range(q):
        u = find(int(data[2 + 2 * i]))
        v = find(int(data[3 + 2 * i]))
        if u != v:
            parent[u] = v
            size[v] += size[u]
            groups -= 1
            largest = max(largest, size[v])
        out.append("%d %d" % (groups, largest))
    print("\n".join(out))


main()
