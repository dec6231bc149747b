import sys


def main():
    data = sys.stdin.buffer.read().split()
    q = int(data[0])
    out = []
    pos = 1
    for _ in range(q):
        n, a, b = int(data[pos]), int(data[pos + 1]), int(data[pos + 2])
        pos += 3
        if a == b:
            out.append(n - n // a)
        else:
            out.append(n - n // a - n // b)
    print("\n".join(map(str, out)))


main()
