import sys
from bisect import bisect_left, bisect_right
from itertools import compress
from math import isqrt


def main():
    data = sys.stdin.buffer.read().split()
    q = int(data[0])
    ls = list(map(int, data[1:1 + 2 * q:2]))
    rs = list(map(int, data[2:2 + 2 * q:2]))
    N = max(max(rs), 3)
    sieve = bytearray([1]) * (N + 1)
    sieve[0] = sieve[1] = 0
    for i in range(2, isqrt(N) + 1):
        if sieve[i]:
            sieve[i * i::i] = bytes(len(range(i * i, N + 1, i)))
    # shifted[p] = 1 when p + 2 is prime
    twin = bytes(sieve[2:]) + b"\x00\x00"
    both = (int.from_bytes(sieve, "little") & int.from_bytes(twin, "little")).to_bytes(N + 1, "little")
    starts = list(compress(range(N + 1), both))  # p such that p and p + 2 are both prime
    out = []
    for l, r in zip(ls, rs):
        c = bisect_right(starts, r - 2) - bisect_left(starts, l)
        out.append(c if c > 0 else 0)
    sys.stdout.write("\n".join(map(str, out)) + "\n")


main()
