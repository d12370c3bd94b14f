#!/usr/bin/python3
"""Draws the app icon (resources/ui/icon.png): clusters of dots in the cluster palette.
Run with /usr/bin/python3 tools/gen_ui_icon.py from the project root."""
from PIL import Image, ImageDraw
import random

S = 256
img = Image.new("RGBA", (S, S), (0, 0, 0, 0))
d = ImageDraw.Draw(img)
d.rounded_rectangle((8, 8, S - 8, S - 8), radius=52, fill=(22, 27, 34, 255))
random.seed(3)
palette = [(0x4E, 0x79, 0xA7), (0xF2, 0x8E, 0x2B), (0xE1, 0x57, 0x59), (0x76, 0xB7, 0xB2), (0x59, 0xA1, 0x4F)]
centres = [(80, 88), (170, 80), (120, 160), (186, 176), (70, 180)]
for (cx, cy), col in zip(centres, palette):
    for _ in range(14):
        x = cx + random.gauss(0, 13)
        y = cy + random.gauss(0, 13)
        r = 7
        d.ellipse((x - r, y - r, x + r, y + r), fill=col + (235,))
# one outlined "artifact" patch
d.rectangle((150, 120, 178, 148), outline=(0, 229, 255, 255), width=5)
img.save("resources/ui/icon.png")
print("ok")
