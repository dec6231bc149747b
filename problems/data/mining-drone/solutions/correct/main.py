import sys


def main():
    data = sys.stdin.buffer.read().split()
    n, m = int(data[0]), int(data[1])
    W = m + 2
    size = (n + 2) * W
    # 0 = free, 1 = rock, 2 = outside the grid
    kind = bytearray([2]) * size
    s = e = -1
    for i in range(n):
        row = data[2 + i]
        base = (i + 1) * W + 1
        for j in range(m):
            ch = row[j]
            if ch == 35:  # '#'
                kind[base + j] = 1
            else:
                kind[base + j] = 0
                if ch == 83:  # 'S'
                    s = base + j
                elif ch == 69:  # 'E'
                    e = base + j

    def bfs(src):
        dist = [-1] * size
        rock = [-1] * size  # smallest distance of a free neighbour, for rock cells
        dist[src] = 0
        q = [src]
        for u in q:
            du = dist[u] + 1
            for v in (u - 1, u + 1, u - W, u + W):
                k = kind[v]
                if k == 0:
                    if dist[v] < 0:
                        dist[v] = du
                        q.append(v)
                elif k == 1 and rock[v] < 0:
                    rock[v] = du
        return dist, rock

    ds, rs = bfs(s)
    de, re_ = bfs(e)
    best = ds[e]
    if best < 0:
        best = None
    for v in range(size):
        a = rs[v]
        if a >= 0:
            b = re_[v]
            if b >= 0:
                c = a + b
                if best is None or c < best:
                    best = c
    print(best if best is not None else -1)


main()
