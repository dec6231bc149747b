import sys
from bisect import bisect_left, bisect_right
from math import isqrt


def main():
    data = sys.stdin.buffer.read().split()
    q = int(data[0])
    qs = [(int(data[1 + 2 * i]), int(data[2 + 2 * i])) for i in range(q)]
    N = max(max(r for _, r in qs), 3) + 2
    sieve = bytearray([1]) * (N + 1)
    sieve[0] = sieve[1] = 0
    for i in range(2, isqrt(N) + 1):
        if sieve[i]:
            sieve[i * i::i] = bytes(len(range(i * i, N + 1, i)))
    starts = [p for p in range(2, N - 1) if sieve[p] and sieve[p + 2]]
    out = []
    for l, r in qs:
        out.append(max(0, bisect_right(starts, r) - bisect_left(starts, l)))
    print("\n".join(map(str, out)))


main()
