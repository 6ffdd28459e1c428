"""all-MiniLM-L6-v2 in NumPy: BERT's tokenizer ids, unit vectors, and meaning that residents' words share."""

import numpy as np
import pytest

from bot.nlu.minilm import MAX_TOKENS, shared_encoder


@pytest.fixture(scope="module")
def encoder():
    return shared_encoder()


def test_the_tokenizer_gives_bert_uncased_ids(encoder):
    # [CLS] hello , world ! [SEP] in the bert-base-uncased vocabulary MiniLM shares
    assert encoder.tokenizer.encode("Hello, world!") == [101, 7592, 1010, 2088, 999, 102]


def test_accents_and_case_do_not_change_the_tokens(encoder):
    assert encoder.tokenizer.encode("TÖÖLÖ Café") == encoder.tokenizer.encode("toolo cafe")


def test_a_long_message_is_cut_to_the_model_window(encoder):
    ids = encoder.tokenizer.encode("the lamp post is leaning " * 200)
    assert len(ids) == MAX_TOKENS and ids[0] == 101 and ids[-1] == 102


def test_embeddings_are_unit_vectors(encoder):
    vector = encoder.embed("Overflowing bin on the high street")
    assert vector.shape == (384,) and np.isclose(np.linalg.norm(vector), 1.0, atol=1e-5)


@pytest.mark.parametrize(
    ("text", "same_meaning", "other_meaning"),
    [
        # words that share no characters with each other, only meaning
        (
            "There is a big pothole in the road",
            "A large hole in the street surface",
            "Dead cat on the pavement",
        ),
        ("The street light is out", "Lamp post dark all night", "Mattress dumped in the alley"),
        (
            "Fly-tipping behind the shops",
            "Someone dumped rubbish bags and a sofa",
            "Traffic signal stuck on red",
        ),
    ],
)
def test_texts_that_mean_the_same_are_closer(encoder, text, same_meaning, other_meaning):
    a, b, c = (encoder.embed(t) for t in (text, same_meaning, other_meaning))
    assert float(a @ b) > float(a @ c) + 0.1
