import sys
from heapq import heappop, heappush


def main():
    data = sys.stdin.buffer.read().split()
    n, m = int(data[0]), int(data[1])
    eu = list(map(int, data[2:2 + 3 * m:3]))
    ev = list(map(int, data[3:3 + 3 * m:3]))
    ec = list(map(int, data[4:4 + 3 * m:3]))
    adj = [[] for _ in range(n + 1)]
    for u, v, c in zip(eu, ev, ec):
        adj[u].append(c << 17 | v)
        adj[v].append(c << 17 | u)
    INF = 1 << 62
    MASK = (1 << 17) - 1

    def dijkstra(src):
        dist = [INF] * (n + 1)
        dist[src] = 0
        heap = [src]
        while heap:
            x = heappop(heap)
            u = x & MASK
            d = x >> 17
            if d > dist[u]:
                continue
            for e in adj[u]:
                v = e & MASK
                nd = d + (e >> 17)
                if nd < dist[v]:
                    dist[v] = nd
                    heappush(heap, nd << 17 | v)
        return dist

    ds = dijkstra(1)
    dt = dijkstra(n)
    best = ds[n]
    for u, v, c in zip(eu, ev, ec):
        h = c // 2
        a = ds[u] + h + dt[v]
        b = ds[v] + h + dt[u]
        if a < best:
            best = a
        if b < best:
            best = b
    print(best if best < INF else -1)


main()
