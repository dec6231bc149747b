import sys
from collections import deque


def main():
    data = sys.stdin.read().split()
    n, m = int(data[0]), int(data[1])
    g = data[2:2 + n]
    for i in range(n):
        for j in range(m):
            if g[i][j] == 'S':
                s = (i, j)
            elif g[i][j] == 'E':
                e = (i, j)
    seen = [[False] * m for _ in range(n)]
    seen[s[0]][s[1]] = True
    q = deque([(s[0], s[1], 0, 0)])
    while q:
        i, j, used, d = q.popleft()
        if (i, j) == e:
            print(d)
            return
        for di, dj in ((1, 0), (-1, 0), (0, 1), (0, -1)):
            a, b = i + di, j + dj
            if 0 <= a < n and 0 <= b < m and not seen[a][b]:
                if g[a][b] == '#':
                    if used:
                        continue
                    seen[a][b] = True
                    q.append((a, b, 1, d + 1))
                else:
                    seen[a][b] = True
                    q.append((a, b, used, d + 1))
    print(-1)


main()
