"""Debug pictures: letter boxes over the page, and a contact sheet of classifier inputs."""

import numpy as np

#: Line colours, cycled (RGB).
PALETTE = [(230, 25, 75), (60, 180, 75), (0, 130, 200), (245, 130, 48), (145, 30, 180),
           (70, 240, 240), (240, 50, 230), (128, 128, 0), (0, 128, 128), (170, 110, 40)]
LOW = (255, 0, 0)


def _font(size):
    from PIL import ImageFont

    try:
        return ImageFont.load_default(size=size)
    except TypeError:  # Pillow without FreeType sizes
        return ImageFont.load_default()


def draw_overlay(grey, page, scale, low_conf=0.6):
    """Draw a read page's letters, words and lines over its image.

    Parameters
    ----------
    grey : (H, W) float32 ndarray
        The page image in [0, 1] (any resolution).
    page : ocr.page.Page
        The reading, boxes in original pixels.
    scale : float
        Pixels of `grey` per original pixel.
    low_conf : float
        Characters less sure than this are filled red.

    Returns
    -------
    PIL.Image.Image
        RGB picture: each line's boxes in its own colour, a thin frame around
        each word, each letter's predicted character and confidence above it,
        low-confidence letters shaded red.
    """
    from PIL import Image, ImageDraw

    base = Image.fromarray((np.clip(grey, 0, 1) * 255).astype(np.uint8)).convert("RGB")
    shade = Image.new("RGBA", base.size, (0, 0, 0, 0))
    sd = ImageDraw.Draw(shade)
    d = ImageDraw.Draw(base)
    lh = max(8.0, page.letter_height * scale)
    font = _font(max(10, int(lh * 0.35)))
    width = max(1, int(lh / 25))

    def sc(b, pad=0):
        return [b[0] * scale - pad, b[1] * scale - pad, b[2] * scale + pad, b[3] * scale + pad]

    for li, line in enumerate(page.lines):
        colour = PALETTE[li % len(PALETTE)]
        for word in line.words:
            d.rectangle(sc(word.box, pad=lh * 0.12), outline=colour, width=1)
            for ch in word.chars:
                box = sc(ch.box)
                if ch.conf < low_conf:
                    sd.rectangle(box, fill=LOW + (90,))
                d.rectangle(box, outline=colour, width=width)
                label = f"{ch.text} {int(round(100 * ch.conf))}"
                d.text((box[0], box[1] - font.size - 2), label, fill=LOW if ch.conf < low_conf else colour,
                       font=font)
        x0, y0, x1, y1 = sc(line.box, pad=lh * 0.3)
        d.text((max(0, x0 - font.size * 2), y0), f"L{li + 1}", fill=colour, font=font)
    base = Image.alpha_composite(base.convert("RGBA"), shade).convert("RGB")
    return base


def contact_sheet(crops, labels=None, cols=16, zoom=2):
    """Tile 32x32 classifier inputs into one image, each with its label.

    Parameters
    ----------
    crops : (N, 32, 32) float ndarray
        Values in [0, 1], white background.
    labels : list of str, optional
        Drawn under each crop.
    cols : int
    zoom : int
        Pixel zoom of each crop.

    Returns
    -------
    PIL.Image.Image
    """
    from PIL import Image, ImageDraw

    crops = np.asarray(crops)
    n = max(1, len(crops))
    rows = (n + cols - 1) // cols
    cell = 32 * zoom + 4
    lab = 14 if labels is not None else 0
    sheet = Image.new("RGB", (cols * cell, rows * (cell + lab)), (200, 200, 200))
    d = ImageDraw.Draw(sheet)
    font = _font(11)
    for k, c in enumerate(crops):
        r, q = divmod(k, cols)
        tile = Image.fromarray((np.clip(c, 0, 1) * 255).astype(np.uint8)).resize((32 * zoom, 32 * zoom), 0)
        sheet.paste(tile.convert("RGB"), (q * cell + 2, r * (cell + lab) + 2))
        if labels is not None:
            d.text((q * cell + 4, r * (cell + lab) + cell - 1), str(labels[k]), fill=(0, 0, 0), font=font)
    return sheet
