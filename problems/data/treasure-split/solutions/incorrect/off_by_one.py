import sys


def main():
    data = sys.stdin.buffer.read().split()
    n = int(data[0])
    vals = list(map(int, data[1:1 + n]))
    total = sum(vals)
    bits = 1
    for v in vals:
        bits |= bits << v
    # look for the best subset sum strictly below half of the total
    best = 0
    for s in range((total - 1) // 2, -1, -1):
        if (bits >> s) & 1:
            best = s
            break
    print(total - 2 * best)


main()
