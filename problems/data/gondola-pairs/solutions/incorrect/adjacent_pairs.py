import sys


def main():
    data = sys.stdin.buffer.read().split()
    n, c = int(data[0]), int(data[1])
    w = sorted(map(int, data[2:2 + n]))
    ans = 0
    i = 0
    while i < n:
        if i + 1 < n and w[i] + w[i + 1] <= c:
            i += 2
        else:
            i += 1
        ans += 1
    print(ans)


main()
