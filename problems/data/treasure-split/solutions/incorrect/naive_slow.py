import sys


def main():
    data = sys.stdin.buffer.read().split()
    n = int(data[0])
    vals = list(map(int, data[1:1 + n]))
    total = sum(vals)
    half = total // 2
    dp = [False] * (half + 1)
    dp[0] = True
    for v in vals:
        for s in range(half, v - 1, -1):
            if dp[s - v]:
                dp[s] = True
    best = max(s for s in range(half + 1) if dp[s])
    print(total - 2 * best)


main()
