import sys
from math import isqrt


def main():
    data = sys.stdin.buffer.read().split()
    q = int(data[0])
    qs = [(int(data[1 + 2 * i]), int(data[2 + 2 * i])) for i in range(q)]
    N = max(max(r for _, r in qs), 3)
    sieve = bytearray([1]) * (N + 1)
    sieve[0] = sieve[1] = 0
    for i in range(2, isqrt(N) + 1):
        if sieve[i]:
            sieve[i * i::i] = bytes(len(range(i * i, N + 1, i)))
    out = []
    for l, r in qs:
        c = 0
        for p in range(l, r - 1):
            if sieve[p] and sieve[p + 2]:
                c += 1
        out.append(c)
    print("\n".join(map(str, out)))


main()
