import sys
from math import gcd


def main():
    data = sys.stdin.buffer.read().split()
    q = int(data[0])
    out = []
    pos = 1
    for _ in range(q):
        n, a, b = int(data[pos]), int(data[pos + 1]), int(data[pos + 2])
        pos += 3
        l = a // gcd(a, b) * b
        out.append(n - n // a - n // b + n // l)
    sys.stdout.write("\n".join(map(str, out)) + "\n")


main()
