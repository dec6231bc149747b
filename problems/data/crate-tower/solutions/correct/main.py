import sys
from bisect import bisect_left


def main():
    data = sys.stdin.buffer.read().split()
    n = int(data[0])
    w = list(map(int, data[1:1 + 2 * n:2]))
    g = list(map(int, data[2:2 + 2 * n:2]))
    # sort by width ascending; equal widths by weight descending, so that
    # two crates of the same width can never both be chosen
    order = sorted(range(n), key=lambda i: (w[i], -g[i]))
    tails = []
    for i in order:
        x = g[i]
        k = bisect_left(tails, x)
        if k == len(tails):
            tails.append(x)
        else:
            tails[k] = x
    print(len(tails))


main()
