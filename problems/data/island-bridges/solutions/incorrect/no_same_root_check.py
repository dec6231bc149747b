import sys


def main():
    data = sys.stdin.buffer.read().split()
    n, q = int(data[0]), int(data[1])
    parent = list(range(n + 1))
    size = [1] * (n + 1)

    def find(x):
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    groups = n
    largest = 1
    out = []
    for i in range(q):
        u = find(int(data[2 + 2 * i]))
        v = find(int(data[3 + 2 * i]))
        if size[u] < size[v]:
            u, v = v, u
        parent[v] = u
        size[u] += size[v]
        groups -= 1
        largest = max(largest, size[u])
        out.append("%d %d" % (groups, largest))
    print("\n".join(out))


main()
