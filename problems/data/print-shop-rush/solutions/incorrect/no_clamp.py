import sys


def main():
    data = sys.stdin.buffer.read().split()
    n, m = int(data[0]), int(data[1])
    w = list(map(int, data[2:2 + 2 * n:2]))
    t = list(map(int, data[3:3 + 2 * n:2]))
    lo, hi = 0, min(w[i] + m * t[i] for i in range(n))
    while lo < hi:
        mid = (lo + hi) // 2
        total = 0
        for i in range(n):
            total += (mid - w[i]) // t[i]
        if total >= m:
            hi = mid
        else:
            lo = mid + 1
    print(lo)


main()
