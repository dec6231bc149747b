import sys


def main():
    data = sys.stdin.buffer.read().split()
    n = int(data[0])
    vals = sorted(map(int, data[1:1 + n]), reverse=True)
    a = b = 0
    for v in vals:
        if a <= b:
            a += v
        else:
            b += v
    print(abs(a - b))


main()
