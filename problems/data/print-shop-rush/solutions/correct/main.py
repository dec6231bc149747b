import sys
from bisect import bisect_left
from itertools import islice, repeat
from operator import floordiv, sub


def main():
    data = sys.stdin.buffer.read().split()
    n, m = int(data[0]), int(data[1])
    presses = sorted(zip(map(int, data[2:2 + 2 * n:2]), map(int, data[3:3 + 2 * n:2])))
    ws = [p[0] for p in presses]
    ts = [p[1] for p in presses]

    def enough(T):
        k = bisect_left(ws, T)  # presses that finished warming up strictly before T
        total = sum(map(floordiv, map(sub, repeat(T, k), islice(ws, k)), islice(ts, k)))
        return total >= m

    lo = 0
    hi = min(w + m * t for w, t in presses)
    while lo < hi:
        mid = (lo + hi) // 2
        if enough(mid):
            hi = mid
        else:
            lo = mid + 1
    print(lo)


main()
