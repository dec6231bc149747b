import sys
from heapq import heappop, heappush


def main():
    data = sys.stdin.buffer.read().split()
    n, m = int(data[0]), int(data[1])
    adj = [[] for _ in range(n + 1)]
    for i in range(m):
        u, v, c = int(data[2 + 3 * i]), int(data[3 + 3 * i]), int(data[4 + 3 * i])
        adj[u].append((v, c))
        adj[v].append((u, c))
    INF = float("inf")
    dist = [INF] * (n + 1)
    par_cost = [0] * (n + 1)
    par = [0] * (n + 1)
    dist[1] = 0
    heap = [(0, 1)]
    while heap:
        d, u = heappop(heap)
        if d > dist[u]:
            continue
        for v, c in adj[u]:
            if d + c < dist[v]:
                dist[v] = d + c
                par[v] = u
                par_cost[v] = c
                heappush(heap, (d + c, v))
    if dist[n] == INF:
        print(-1)
        return
    # use the voucher on the most expensive road of the cheapest route
    mx = 0
    x = n
    while x != 1:
        mx = max(mx, par_cost[x])
        x = par[x]
    print(dist[n] - mx + mx // 2)


main()
