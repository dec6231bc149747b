import sys


def main():
    data = sys.stdin.buffer.read().split()
    n = int(data[0])
    a = [int(x) for x in data[1:1 + n]]
    ans = 0
    for l in range(n):
        s = 0
        for r in range(l, n):
            s += a[r]
            if s % 2 == 0:
                ans += 1
    print(ans)


main()
