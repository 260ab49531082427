"""Deterministic synthetic knowledge base for the benchmark: mixed Chinese/English ML notes.

    /work/venv/bin/python bench/gen_corpus.py OUT_DIR [-n 1000] [--seed 6] [--stats]

Writes ``OUT_DIR/notes/{topics,papers,techniques,concepts,models}/*.md``. The same (n, seed)
always gives the same bytes. Each note is 1-8 KB of UTF-8 (a few long ones up to ~24 KB) with
front matter (id, title, type, aliases, topics, tags, status, year/venue/authors for papers,
related), headings, paragraphs with wikilinks (about 1 in 12 to a note that does not exist: a
wanted note; some with ``#heading`` and ``|label``), tasks, ``TODO`` markers, inline and block
math, a table and a fenced code block. About 1 in 20 notes is a topic overview, placed under a
parent topic so the hierarchy is three levels deep; statuses are mixed (todo, draft, done, and
inferred).

Shaped like a real vault at 10,000 notes rather than uniform noise:

- **topics have a long tail**: a note picks its topics by a Zipf law over the topics (a few
  topics hold hundreds of notes, most hold a handful);
- **links follow a power law**: link targets are drawn half uniformly, half by a Zipf law over a
  fixed "popularity" order (hub notes get hundreds of backlinks at 10,000 notes), and the number
  of links a note makes is heavy-tailed too (most 3-12, a few "map" notes 40+);
- the vocabulary is mixed Chinese/English, with formulas and code in some notes.

``--stats`` prints the distributions (topic sizes, in/out degree) to check that shape.
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

# Chinese ML vocabulary (words jieba and kbsite's dictionary both meet in real notes).
ZH_TERMS = (
    "注意力", "自注意力", "多头注意力", "位置编码", "残差连接", "层归一化", "前馈网络", "词嵌入",
    "预训练", "微调", "指令微调", "对齐", "奖励模型", "强化学习", "策略梯度", "价值函数",
    "知识蒸馏", "量化", "剪枝", "低秩适配", "参数高效微调", "混合专家", "稀疏激活", "检索增强生成",
    "向量数据库", "上下文窗口", "长上下文", "推理加速", "KV缓存", "投机解码", "批处理", "显存",
    "梯度下降", "随机梯度下降", "学习率", "权重衰减", "过拟合", "正则化", "交叉熵", "损失函数",
    "反向传播", "卷积神经网络", "循环神经网络", "生成对抗网络", "扩散模型", "变分自编码器",
    "对比学习", "自监督学习", "多模态", "视觉编码器", "分词器", "词表", "困惑度", "幻觉",
    "思维链", "提示工程", "少样本学习", "零样本", "涌现能力", "缩放定律", "数据清洗", "去重",
)
ZH_FILLER = (
    "这种方法", "在实践中", "实验表明", "需要注意的是", "与此相对", "换句话说", "从直觉上看",
    "作者认为", "一个常见的误区是", "具体来说", "总体而言", "在大模型时代", "相比之下",
    "可以看到", "这意味着", "进一步地", "其核心思想是", "效果显著提升", "计算开销较大",
    "训练更加稳定", "显著降低了显存占用", "在多个基准上取得了最好结果", "仍然存在争议",
)
EN_TERMS = (
    "Transformer", "attention", "LoRA", "RLHF", "DPO", "PPO", "MoE", "RAG", "KV cache",
    "FlashAttention", "BERT", "GPT", "T5", "ViT", "CLIP", "diffusion", "VAE", "GAN", "Adam",
    "dropout", "layer norm", "softmax", "beam search", "top-p sampling", "tokenizer", "BPE",
    "perplexity", "scaling law", "chain-of-thought", "in-context learning", "distillation",
)
VENUES = ("NeurIPS", "ICML", "ICLR", "ACL", "EMNLP", "CVPR", "arXiv")
SURNAMES = ("Wang", "Li", "Zhang", "Liu", "Chen", "Smith", "Brown", "Kim", "Vaswani", "Hinton")
TYPES = ("paper", "technique", "concept", "model")
TYPE_DIRS = {"paper": "papers", "technique": "techniques", "concept": "concepts", "model": "models",
             "topic": "topics"}
HEADINGS = ("背景", "方法", "实验", "分析", "局限", "相关工作", "实现细节", "小结")


def _sentence(rng: random.Random, links: list[str]) -> str:
    parts = [rng.choice(ZH_FILLER), "，"]
    for _ in range(rng.randint(2, 5)):
        roll = rng.random()
        if roll < 0.5:
            parts.append(rng.choice(ZH_TERMS))
        elif roll < 0.75:
            parts.append(f" {rng.choice(EN_TERMS)} ")
        else:
            parts.append(rng.choice(ZH_FILLER))
        if links and rng.random() < 0.25:
            parts.append(links.pop())
        parts.append(rng.choice(("的", "和", "，", "与", "对")))
    parts[-1] = "。"
    return "".join(parts)


def _link(rng: random.Random, target_id: str, target_title: str, headings: bool) -> str:
    roll = rng.random()
    if roll < 0.5:
        return f"[[{target_id}]]"
    if roll < 0.8:
        return f"[[{target_id}|{target_title}]]"
    if headings:
        return f"[[{target_id}#{rng.choice(HEADINGS[:3])}]]"
    return f"[[{target_title}]]"


def _body(rng: random.Random, title: str, size: int, link_pool: list[str], kind: str) -> str:
    out = [f"# {title}", ""]
    links = list(link_pool)
    rng.shuffle(links)
    headings = list(HEADINGS[:3]) + rng.sample(HEADINGS[3:], 2)
    features = rng.sample(("math", "table", "code", "tasks", "block"), k=rng.randint(2, 5))
    h = 0
    while sum(len(s.encode()) for s in out) < size:
        if h < len(headings):
            out += [f"## {headings[h]}", ""]
            h += 1
        paragraph = "".join(_sentence(rng, links) for _ in range(rng.randint(2, 5)))
        out += [paragraph, ""]
        if features and rng.random() < 0.5:
            feat = features.pop()
            if feat == "math":
                out += ["其目标可以写成 $L = -\\sum_i y_i \\log p_i$，其中 $p_i$ 是模型输出的概率。", ""]
            elif feat == "block":
                out += ["$$", "\\mathrm{Attention}(Q,K,V)=\\mathrm{softmax}\\left(\\frac{QK^T}{\\sqrt{d_k}}\\right)V",
                        "$$", ""]
            elif feat == "table":
                out += ["| 方法 | 参数量 | 效果 |", "|---|---|---|"]
                out += [f"| {rng.choice(EN_TERMS)} | {rng.randint(1, 70)}B | {rng.randint(40, 95)}.{rng.randint(0, 9)} |"
                        for _ in range(rng.randint(2, 5))]
                out.append("")
            elif feat == "code":
                out += ["```python", "import torch", "",
                        f"def step(model, batch, lr={rng.choice((1e-4, 3e-4, 2e-5))}):",
                        "    loss = model(**batch).loss  # 前向计算损失",
                        "    loss.backward()", "    return loss.item()", "```", ""]
            elif feat == "tasks":
                out += [f"- [x] 读完{rng.choice(HEADINGS)}部分", f"- [ ] 复现 {rng.choice(EN_TERMS)} 的实验",
                        f"- [ ] 对比{rng.choice(ZH_TERMS)}", ""]
                if rng.random() < 0.3:
                    out += ["TODO: 补充实验数字", ""]
    if links:  # links left over go into a "see also" list
        out += ["## 参见", ""] + [f"- {link}" for link in links] + [""]
    return "\n".join(out)


def _yaml_list(values: list[str]) -> str:
    return "[" + ", ".join(values) + "]"


def _zipf_cum(count: int, offset: float, exponent: float = 1.0) -> list[float]:
    """Cumulative weights ``1 / (rank + offset) ** exponent`` for ``random.choices``."""
    total, out = 0.0, []
    for rank in range(count):
        total += 1.0 / (rank + offset) ** exponent
        out.append(total)
    return out


def _link_count(rng: random.Random) -> int:
    """Links a note makes: heavy-tailed (Pareto), mean about 10; a few map notes have 40-80."""
    return min(80, 2 + int(4 * rng.paretovariate(1.7)))


def generate(n: int, seed: int = 6) -> dict[str, str]:
    """``{relative path: text}`` of ``n`` notes, deterministic in (n, seed)."""
    rng = random.Random(f"kbsite-bench-{seed}-{n}")
    n_topics = max(3, n // 20)
    specs: list[dict[str, object]] = []
    for i in range(n_topics):
        term = ZH_TERMS[i % len(ZH_TERMS)]
        suffix = "" if i < len(ZH_TERMS) else f" {i // len(ZH_TERMS) + 1}"
        specs.append({"id": f"topic-{i:04d}", "title": f"{term}{suffix}", "type": "topic", "index": i})
    for i in range(n - n_topics):
        kind = TYPES[i % len(TYPES)]
        en = rng.choice(EN_TERMS)
        zh = rng.choice(ZH_TERMS)
        title = f"{en} 与{zh} {i}" if kind == "paper" else f"{zh}{rng.choice(('方法', '机制', '技巧', '原理'))} {i}"
        specs.append({"id": f"{kind}-{i:05d}", "title": title, "type": kind, "index": i})
    notes = [s for s in specs if s["type"] != "topic"]
    topics = [s for s in specs if s["type"] == "topic"]
    # Long tails: topic membership and link targets follow Zipf laws over a shuffled order, so
    # the big topics and the hub notes are spread over the ids, not the first few.
    topic_order = topics[:]
    rng.shuffle(topic_order)
    topic_cum = _zipf_cum(len(topic_order), 2.0)
    popular = specs[:]
    rng.shuffle(popular)
    popular_cum = _zipf_cum(len(popular), 20.0)
    files: dict[str, str] = {}
    for spec in specs:
        sid, title, kind = str(spec["id"]), str(spec["title"]), str(spec["type"])
        fm = [f"id: {sid}", f"title: \"{title}\"", f"type: {kind}"]
        idx = int(spec["index"])  # type: ignore[arg-type]
        if kind == "topic":
            # Three levels: 0..2 roots, then each topic under an earlier one.
            if idx >= 3:
                parent = topics[rng.randrange(0, min(idx, max(3, idx // 3)))]
                fm.append(f"parent: {parent['id']}")
            fm.append(f"aliases: {_yaml_list([EN_TERMS[idx % len(EN_TERMS)] + f' topic {idx}'])}")
            fm.append("status: done")
        else:
            fm.append(f"aliases: {_yaml_list([f'{rng.choice(EN_TERMS)} {idx}', f'别名{idx}'])}")
            mine: list[str] = []
            for t in rng.choices(topic_order, cum_weights=topic_cum, k=rng.randint(1, 3)):
                if str(t["id"]) not in mine:
                    mine.append(str(t["id"]))
            fm.append(f"topics: {_yaml_list(mine)}")
            fm.append(f"tags: {_yaml_list(rng.sample(ZH_TERMS, 2))}")
            roll = rng.random()
            if roll < 0.5:
                fm.append("status: done")
            elif roll < 0.7:
                fm.append("status: draft")
            elif roll < 0.8:
                fm.append("status: todo")
            # else: no status, inferred from the body
            if kind == "paper":
                fm.append(f"year: {rng.randint(2014, 2025)}")
                fm.append(f"venue: {rng.choice(VENUES)}")
                fm.append(f"authors: {_yaml_list(rng.sample(SURNAMES, 3))}")
            if rng.random() < 0.3:
                fm.append(f"related: {_yaml_list([str(rng.choice(notes)['id'])])}")
        pool: list[str] = []
        for _ in range(_link_count(rng)):
            if rng.random() < 1 / 12:
                pool.append(f"[[未写的笔记 {rng.randint(0, n // 10)}]]")  # wanted
            else:
                target = rng.choice(specs) if rng.random() < 0.5 else \
                    rng.choices(popular, cum_weights=popular_cum)[0]
                if target is spec:
                    continue
                pool.append(_link(rng, str(target["id"]), str(target["title"]), target["type"] != "topic"))
        size = int(1024 * (1 + 7 * rng.random() ** 2))  # 1-8 KB, most notes short
        if rng.random() < 0.02:
            size *= 3  # a few long notes
        body = _body(rng, title, size, pool, kind)
        files[f"notes/{TYPE_DIRS[kind]}/{sid}.md"] = "---\n" + "\n".join(fm) + "\n---\n\n" + body
    return files


def stats(files: dict[str, str]) -> str:
    """Topic sizes and link in/out degrees of a generated corpus: the long tails, in numbers."""
    import re
    from collections import Counter

    link_re = re.compile(r"\[\[([^\]|#]+)")
    topic_re = re.compile(r"^topics: \[(.*)\]$", re.M)
    title_re = re.compile(r'^title: "(.*)"$', re.M)
    id_of = {}
    for rel, text in files.items():
        sid = rel.rsplit("/", 1)[1][:-3]
        id_of[sid] = sid
        id_of[title_re.search(text)[1]] = sid  # type: ignore[index]
    sizes: Counter[str] = Counter()
    indeg: Counter[str] = Counter()
    outdeg = []
    for text in files.values():
        m = topic_re.search(text)
        sizes.update(t.strip() for t in m[1].split(",")) if m else None
        targets = {id_of.get(t.strip()) for t in link_re.findall(text)} - {None}
        outdeg.append(len(targets))
        indeg.update(targets)  # type: ignore[arg-type]

    def q(values: list[int]) -> str:
        v = sorted(values)
        return " / ".join(str(v[min(len(v) - 1, int(p * len(v)))]) for p in (0.5, 0.9, 0.99)) + f" / {v[-1]}"

    ins = [indeg.get(s, 0) for s in set(id_of.values())]
    return (f"{len(files)} notes; topic sizes median/p90/p99/max: {q(list(sizes.values()))}; "
            f"links out: {q(outdeg)}; backlinks in: {q(ins)}; "
            f"bytes: {sum(len(t.encode()) for t in files.values()) / len(files) / 1024:.1f} KB/note")


def write_corpus(out: Path, n: int, seed: int = 6) -> int:
    """Write the corpus under ``out``; returns the total size in bytes."""
    total = 0
    for rel, text in generate(n, seed).items():
        path = out / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        data = text.encode("utf-8")
        path.write_bytes(data)
        total += len(data)
    return total


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out", type=Path)
    ap.add_argument("-n", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=6)
    ap.add_argument("--stats", action="store_true", help="print topic sizes and link degrees")
    args = ap.parse_args(argv)
    if args.stats:
        print(stats(generate(args.n, args.seed)))
        return 0
    total = write_corpus(args.out, args.n, args.seed)
    print(f"{args.n} notes, {total / 1024:.0f} KB in {args.out / 'notes'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
