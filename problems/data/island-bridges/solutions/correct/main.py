import sys


def main():
    data = sys.stdin.buffer.read().split()
    n, q = int(data[0]), int(data[1])
    parent = list(range(n + 1))
    size = [1] * (n + 1)
    groups = n
    largest = 1
    out = []
    pos = 2
    for _ in range(q):
        u = int(data[pos])
        v = int(data[pos + 1])
        pos += 2
        while parent[u] != u:
            parent[u] = parent[parent[u]]
            u = parent[u]
        while parent[v] != v:
            parent[v] = parent[parent[v]]
            v = parent[v]
        if u != v:
            if size[u] < size[v]:
                u, v = v, u
            parent[v] = u
            size[u] += size[v]
            groups -= 1
            if size[u] > largest:
                largest = size[u]
        out.append("%d %d" % (groups, largest))
    sys.stdout.write("\n".join(out) + "\n")


main()
