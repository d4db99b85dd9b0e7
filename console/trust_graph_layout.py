"""Where the trust graph's boxes, nodes and edges go in the SVG: a deterministic layout (pure code).

Columns from left to right: principals outside the learner's accounts, then one column per account (management
first). Inside an account's box: IAM users and role sessions, identity providers, then roles, stacked. Edges are
cubic curves from the principal to the role, numbered; their labels are pushed apart so they never overlap.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from console.trust_graph_model import Edge, EdgeScope, Node, NodeKind, TrustGraph, account_node_id

MARGIN_X = 180  # a gap on the left too, for loops between two nodes of the first column and their labels
MARGIN_Y = 16
COLUMN_WIDTH = 210
COLUMN_GAP = 180
HEADER_HEIGHT = 46
HEADING_HEIGHT = 24
NODE_HEIGHT = 30
NODE_GAP = 8
BOX_PADDING = 10
LABEL_HEIGHT = 18
LANE_GAP = 7  # edges that skip a column run along lanes above the boxes, this far apart
LABEL_CHARS = 26
NODE_CHARS = 28
CHAR_WIDTH = 6.4  # an estimate for 11-12 px text; the layout only needs it to keep labels apart



def gettext_noop(text: str) -> str:
    """Marks the section headings for translation (makemessages finds this name); the template translates them."""
    return text


SECTIONS: tuple[tuple[str, tuple[NodeKind, ...]], ...] = (
    (gettext_noop("IAM users"), (NodeKind.USER, NodeKind.SESSION)),
    (gettext_noop("Identity providers"), (NodeKind.PROVIDER,)),
    (gettext_noop("Roles"), (NodeKind.ROLE,)),
    (gettext_noop("AWS services"), (NodeKind.SERVICE,)),
    (gettext_noop("Web identity"), (NodeKind.WEB_IDENTITY,)),
    (gettext_noop("Other AWS accounts"), (NodeKind.OUTSIDE_ACCOUNT,)),
    (gettext_noop("Principals in other accounts"), (NodeKind.OUTSIDE_PRINCIPAL,)),
    (gettext_noop("Deleted principals"), (NodeKind.UNKNOWN_ID,)),
    (gettext_noop("Everyone"), (NodeKind.EVERYONE,)),
)
OUTSIDE_TITLE = "Outside your accounts"


@dataclass(frozen=True, slots=True)
class Rect:
    x: float
    y: float
    w: float
    h: float

    @property
    def mid_y(self) -> float:
        return self.y + self.h / 2

    @property
    def right(self) -> float:
        return self.x + self.w


@dataclass(frozen=True, slots=True)
class PlacedBox:
    rect: Rect
    title: str
    subtitle: str
    kind: str  # management | member | external | outside
    header_height: float


@dataclass(frozen=True, slots=True)
class PlacedHeading:
    x: float
    y: float
    text: str


@dataclass(frozen=True, slots=True)
class PlacedNode:
    node: Node
    rect: Rect
    dom_id: str
    text: str
    href: str = ""

    @property
    def css_class(self) -> str:
        return f"node node-{self.node.kind}" + ("" if self.node.exists else " missing")


@dataclass(frozen=True, slots=True)
class PlacedEdge:
    edge: Edge
    path: str
    label: Rect
    text: str

    @property
    def css_class(self) -> str:
        kind = "deny" if self.edge.is_deny else "allow"
        return f"edge edge-{kind}" + (" edge-account" if self.edge.scope == EdgeScope.ACCOUNT else "")


@dataclass(frozen=True, slots=True)
class Picture:
    width: float
    height: float
    boxes: tuple[PlacedBox, ...]
    headings: tuple[PlacedHeading, ...]
    nodes: tuple[PlacedNode, ...]
    edges: tuple[PlacedEdge, ...]


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


class _Layout:
    def __init__(self, graph: TrustGraph, links: Mapping[str, str], kind_labels: Mapping[str, str]) -> None:
        self.graph, self.links, self.kind_labels = graph, links, kind_labels
        self.first_account_column = 1 if graph.outside else 0
        self.lanes = _lane_numbers(graph, self.first_account_column)
        self.top = MARGIN_Y + (len(self.lanes) * LANE_GAP + 10 if self.lanes else 0)
        self.rects: dict[str, Rect] = {}
        self.columns: dict[str, int] = {}
        self.boxes: list[PlacedBox] = []
        self.headings: list[PlacedHeading] = []
        self.nodes: list[PlacedNode] = []

    def column_x(self, column: int) -> float:
        return MARGIN_X + column * (COLUMN_WIDTH + COLUMN_GAP)

    def place_column(self, column: int, members: tuple[str, ...], *, title: str, subtitle: str, kind: str,
                     account_id: str = "") -> float:
        x, y = self.column_x(column), float(self.top)
        top = y
        y += HEADER_HEIGHT
        if account_id:
            self.rects[account_node_id(account_id)] = Rect(x, top, COLUMN_WIDTH, HEADER_HEIGHT)
            self.columns[account_node_id(account_id)] = column
        for heading, kinds in SECTIONS:
            ids = [i for i in members if self.graph.nodes[i].kind in kinds]
            if not ids:
                continue
            self.headings.append(PlacedHeading(x + BOX_PADDING, y + 16, heading))
            y += HEADING_HEIGHT
            for node_id in ids:
                self.place_node(node_id, Rect(x + BOX_PADDING, y, COLUMN_WIDTH - 2 * BOX_PADDING, NODE_HEIGHT),
                                column)
                y += NODE_HEIGHT + NODE_GAP
        bottom = y + BOX_PADDING
        self.boxes.append(PlacedBox(Rect(x, top, COLUMN_WIDTH, bottom - top), title, subtitle, kind, HEADER_HEIGHT))
        return bottom

    def place_node(self, node_id: str, rect: Rect, column: int) -> None:
        node = self.graph.nodes[node_id]
        self.rects[node_id], self.columns[node_id] = rect, column
        self.nodes.append(PlacedNode(node=node, rect=rect, dom_id=f"tg-node-{len(self.nodes) + 1}",
                                     text=_short(node.label, NODE_CHARS), href=self.links.get(node_id, "")))

    def picture(self) -> Picture:
        column, bottom = 0, float(MARGIN_Y)
        if self.graph.outside:
            bottom = self.place_column(0, self.graph.outside, title=OUTSIDE_TITLE, subtitle="", kind="outside")
            column = 1
        for group in self.graph.accounts:
            kind_label = self.kind_labels.get(group.kind, group.kind)
            end = self.place_column(column, group.members, title=group.account.label,
                                    subtitle=f"{group.account.detail} · {kind_label}", kind=group.kind,
                                    account_id=group.account.detail)
            bottom, column = max(bottom, end), column + 1
        edges = _placed_edges(self.graph.edges, self.rects, self.columns, self.lanes)
        lowest = max((edge.label.y + edge.label.h for edge in edges), default=0.0)
        width = self.column_x(max(column, 1)) - COLUMN_GAP + MARGIN_X / 2
        return Picture(width=round(width), height=round(max(bottom, lowest) + MARGIN_Y),
                       boxes=tuple(self.boxes), headings=tuple(self.headings), nodes=tuple(self.nodes),
                       edges=edges)


def _lane_numbers(graph: TrustGraph, first_account_column: int) -> dict[int, int]:
    """Edge number -> lane, for every edge whose ends are more than one column apart."""
    order = {group.account.detail: i + first_account_column for i, group in enumerate(graph.accounts)}

    def column(node_id: str) -> int:
        node = graph.nodes[node_id]
        account = node.account_id or (node.detail if node.kind == NodeKind.ACCOUNT else "")
        return order.get(account, 0)

    long_edges = [e.number for e in graph.edges if abs(column(e.source) - column(e.target)) > 1]
    return {number: lane for lane, number in enumerate(long_edges)}


def _point(points: tuple[tuple[float, float], ...], t: float) -> tuple[float, float]:
    (x0, y0), (x1, y1), (x2, y2), (x3, y3) = points
    a, b, c, d = (1 - t) ** 3, 3 * (1 - t) ** 2 * t, 3 * (1 - t) * t**2, t**3
    return a * x0 + b * x1 + c * x2 + d * x3, a * y0 + b * y1 + c * y2 + d * y3


def _curve(points: tuple[tuple[float, float], ...]) -> str:
    return "C {:.1f} {:.1f}, {:.1f} {:.1f}, {:.1f} {:.1f}".format(*(c for p in points[1:] for c in p))


@dataclass(frozen=True, slots=True)
class _Route:
    path: str
    anchor: tuple[float, float]  # where the label goes: in the gap next to the target, on the curve


def _route(source: Rect, target: Rect, columns: tuple[int, int], number: int, lane: int | None) -> _Route:
    """A curve from `source` to `target`: straight across one gap, along a lane above the boxes for longer ones,
    or a loop out into the gap on the left between two nodes of the same column."""
    source_column, target_column = columns
    rightward = source_column < target_column
    if source_column == target_column:
        start, end = (source.x, source.mid_y), (target.x, target.mid_y)
        bulge = 46.0 + 10 * (number % 4)  # staggered so that several loops stay apart
        points = (start, (start[0] - bulge, start[1]), (end[0] - bulge, end[1]), end)
        return _Route(f"M {start[0]:.1f} {start[1]:.1f} {_curve(points)}", (target.x - COLUMN_GAP / 2,
                                                                             _point(points, 0.5)[1]))
    start = (source.right, source.mid_y) if rightward else (source.x, source.mid_y)
    end = (target.x, target.mid_y) if rightward else (target.right, target.mid_y)
    gap_x = target.x - COLUMN_GAP / 2 if rightward else target.right + COLUMN_GAP / 2
    if lane is None:
        pull = max(40.0, abs(end[0] - start[0]) / 2) * (1 if rightward else -1)
        points = (start, (start[0] + pull, start[1]), (end[0] - pull, end[1]), end)
        return _Route(f"M {start[0]:.1f} {start[1]:.1f} {_curve(points)}", (gap_x, _y_at(points, gap_x)))
    step = 1 if rightward else -1
    lane_y = MARGIN_Y + lane * LANE_GAP
    out_x = start[0] + step * (COLUMN_GAP / 2 - 20 + (lane % 4) * 6)
    in_x = end[0] - step * (COLUMN_GAP / 2 + 20 - (lane % 4) * 6)
    rise = (start, (out_x, start[1]), (out_x, lane_y), (out_x + step * 20, lane_y))
    fall = ((in_x - step * 20, lane_y), (in_x, lane_y), (in_x, end[1]), end)
    path = f"M {start[0]:.1f} {start[1]:.1f} {_curve(rise)} L {fall[0][0]:.1f} {lane_y:.1f} {_curve(fall)}"
    return _Route(path, (gap_x, _point(fall, 0.6)[1]))


def _y_at(points: tuple[tuple[float, float], ...], x: float) -> float:
    """The curve's height where it crosses `x` (it runs monotonically across: bisect for the parameter)."""
    low, high = 0.0, 1.0
    rising = points[3][0] > points[0][0]
    for _ in range(30):
        middle = (low + high) / 2
        if (_point(points, middle)[0] < x) == rising:
            low = middle
        else:
            high = middle
    return _point(points, low)[1]


def _label_text(edge: Edge) -> str:
    words = edge.short_label
    if edge.is_deny:
        words = f"Deny{': ' + words if words else ''}"
    return _short(f"{edge.number} · {words}" if words else str(edge.number), LABEL_CHARS)


def _placed_edges(
    edges: tuple[Edge, ...], rects: Mapping[str, Rect], columns: Mapping[str, int], lanes: Mapping[int, int]
) -> tuple[PlacedEdge, ...]:
    placed: list[PlacedEdge] = []
    taken: list[Rect] = []
    for edge in edges:
        route = _route(rects[edge.source], rects[edge.target], (columns[edge.source], columns[edge.target]),
                       edge.number, lanes.get(edge.number))
        text = _label_text(edge)
        width = len(text) * CHAR_WIDTH + 12
        label = Rect(route.anchor[0] - width / 2, route.anchor[1] - LABEL_HEIGHT / 2, width, LABEL_HEIGHT)
        while any(_overlaps(label, other) for other in taken):
            label = Rect(label.x, label.y + LABEL_HEIGHT + 2, label.w, label.h)
        taken.append(label)
        placed.append(PlacedEdge(edge=edge, path=route.path, label=label, text=text))
    return tuple(placed)


def _overlaps(a: Rect, b: Rect) -> bool:
    return a.x < b.right and b.x < a.right and a.y < b.y + b.h and b.y < a.y + a.h


def trust_graph_layout(graph: TrustGraph, *, links: Mapping[str, str] | None = None,
                       kind_labels: Mapping[str, str] | None = None) -> Picture:
    """Positions for every box, node and edge; `links` maps node ids to pages (roles of the current account)."""
    return _Layout(graph, links or {}, kind_labels or {}).picture()
