"""Trains a tiny byte-level BPE tokenizer for AIPerf (no model hub is reachable here).

    python train_tokenizer.py OUT_DIR CORPUS_FILE...

Writes OUT_DIR/tokenizer.json and OUT_DIR/tokenizer_config.json, loadable with
transformers' AutoTokenizer.from_pretrained(OUT_DIR) -- what `aiperf profile --tokenizer OUT_DIR`
does. AIPerf only uses the tokenizer to build synthetic prompts of a given token length and,
with --use-server-token-count, not to count the server's output tokens; the server decides what
a token is. So any tokenizer that round-trips text works: byte-level BPE encodes every string.
Its characters-per-token ratio still matters: it decides how long a "64-token" prompt is in
characters, hence in the server's tokens. install.sh passes AIPerf's own prompt corpus last, so
the vocabulary fits the text prompts are drawn from (~4 chars/token with 8192 entries).
"""

import json
import os
import sys

from tokenizers import Tokenizer, decoders, models, pre_tokenizers, processors, trainers

EOS = "<|endoftext|>"
VOCAB_SIZE = 8192


def main() -> None:
    if len(sys.argv) < 3:
        sys.exit("usage: train_tokenizer.py OUT_DIR CORPUS_FILE...")
    out, files = sys.argv[1], sys.argv[2:]
    missing = [f for f in files if not os.path.isfile(f)]
    if missing:
        sys.exit(f"corpus files not found: {missing}")

    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    tok.post_processor = processors.ByteLevel(trim_offsets=False)
    trainer = trainers.BpeTrainer(
        vocab_size=VOCAB_SIZE,
        min_frequency=2,
        special_tokens=[EOS],
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tok.train(files, trainer)

    os.makedirs(out, exist_ok=True)
    tok.save(os.path.join(out, "tokenizer.json"))
    # tokenizer_class lets AutoTokenizer load the directory without a model config.json.
    config = {
        "tokenizer_class": "PreTrainedTokenizerFast",
        "bos_token": EOS,
        "eos_token": EOS,
        "unk_token": EOS,
        "model_max_length": 1_000_000,
        "clean_up_tokenization_spaces": False,
    }
    with open(os.path.join(out, "tokenizer_config.json"), "w") as f:
        json.dump(config, f, indent=2)

    # Check it the way AIPerf loads it, and that text survives a round trip.
    from transformers import AutoTokenizer

    loaded = AutoTokenizer.from_pretrained(out)
    sample = "Load-testing an LLM server: time to first token, inter-token latency. ünïcødé 🚀"
    ids = loaded.encode(sample, add_special_tokens=False)
    back = loaded.decode(ids)
    if back != sample:
        sys.exit(f"tokenizer round trip failed: {sample!r} -> {back!r}")
    with open(files[-1], encoding="utf-8", errors="replace") as f:
        text = f.read(400_000)
    ratio = len(text) / max(1, len(loaded.encode(text, add_special_tokens=False)))
    print(f"tokenizer: vocab {loaded.vocab_size}, {ratio:.2f} chars/token on {os.path.basename(files[-1])}, saved to {out}")


if __name__ == "__main__":
    main()
