import sys
from collections import deque


def bfs(g, n, m, s, e):
    dist = [[-1] * m for _ in range(n)]
    dist[s[0]][s[1]] = 0
    q = deque([s])
    while q:
        i, j = q.popleft()
        for a, b in ((i + 1, j), (i - 1, j), (i, j + 1), (i, j - 1)):
            if 0 <= a < n and 0 <= b < m and g[a][b] != '#' and dist[a][b] < 0:
                dist[a][b] = dist[i][j] + 1
                q.append((a, b))
    return dist[e[0]][e[1]]


def main():
    data = sys.stdin.read().split()
    n, m = int(data[0]), int(data[1])
    g = [list(r) for r in data[2:2 + n]]
    for i in range(n):
        for j in range(m):
            if g[i][j] == 'S':
                s = (i, j)
            elif g[i][j] == 'E':
                e = (i, j)
    best = bfs(g, n, m, s, e)
    for i in range(n):
        for j in range(m):
            if g[i][j] == '#':
                g[i][j] = '.'
                d = bfs(g, n, m, s, e)
                g[i][j] = '#'
                if d >= 0 and (best < 0 or d < best):
                    best = d
    print(best)


main()
