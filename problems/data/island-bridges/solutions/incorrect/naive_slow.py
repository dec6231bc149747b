import sys


def main():
    data = sys.stdin.buffer.read().split()
    n, q = int(data[0]), int(data[1])
    adj = [[] for _ in range(n + 1)]
    out = []
    for i in range(q):
        u = int(data[2 + 2 * i])
        v = int(data[3 + 2 * i])
        adj[u].append(v)
        adj[v].append(u)
        seen = [False] * (n + 1)
        groups = 0
        largest = 0
        for s in range(1, n + 1):
            if seen[s]:
                continue
            groups += 1
            seen[s] = True
            stack = [s]
            cnt = 0
            while stack:
                x = stack.pop()
                cnt += 1
                for y in adj[x]:
                    if not seen[y]:
                        seen[y] = True
                        stack.append(y)
            largest = max(largest, cnt)
        out.append("%d %d" % (groups, largest))
    print("\n".join(out))


main()
