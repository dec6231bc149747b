import sys
from heapq import heappop, heappush


def main():
    data = sys.stdin.buffer.read().split()
    n, m = int(data[0]), int(data[1])
    edges = [(int(data[2 + 3 * i]), int(data[3 + 3 * i]), int(data[4 + 3 * i])) for i in range(m)]
    INF = float("inf")

    def shortest(cheap):
        adj = [[] for _ in range(n + 1)]
        for i, (u, v, c) in enumerate(edges):
            if i == cheap:
                c //= 2
            adj[u].append((v, c))
            adj[v].append((u, c))
        dist = [INF] * (n + 1)
        dist[1] = 0
        heap = [(0, 1)]
        while heap:
            d, u = heappop(heap)
            if d > dist[u]:
                continue
            for v, c in adj[u]:
                if d + c < dist[v]:
                    dist[v] = d + c
                    heappush(heap, (d + c, v))
        return dist[n]

    best = shortest(-1)
    for i in range(m):
        best = min(best, shortest(i))
    print(best if best != INF else -1)


main()
