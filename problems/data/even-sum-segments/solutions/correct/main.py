import sys


def main():
    data = sys.stdin.buffer.read().split()
    n = int(data[0])
    cnt = [1, 0]
    p = 0
    for i in range(1, n + 1):
        p ^= int(data[i]) & 1
        cnt[p] += 1
    print(cnt[0] * (cnt[0] - 1) // 2 + cnt[1] * (cnt[1] - 1) // 2)


main()
