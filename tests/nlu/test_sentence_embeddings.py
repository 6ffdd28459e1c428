"""The sentence-embedding featurizer: one 384-wide sentence feature per text, places masked first."""

from rasa.nlu.constants import TOKENS_NAMES
from rasa.nlu.tokenizers.tokenizer import Token
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.location_extractor import PLACE_TOKEN
from bot.nlu.sentence_embeddings import SentenceEmbeddingFeaturizer, masked_text


def featurizer() -> SentenceEmbeddingFeaturizer:
    config = {**SentenceEmbeddingFeaturizer.get_default_config(), "alias": "minilm"}
    return SentenceEmbeddingFeaturizer(config, "minilm")


def test_the_encoder_reads_the_place_as_a_placeholder_not_the_street():
    message = Message({TEXT: "pothole at Annankatu 5"})
    message.set(TOKENS_NAMES[TEXT], [Token("pothole", 0), Token("at", 8), Token(PLACE_TOKEN, 11, 22)])
    assert masked_text(message) == "pothole at this place"


def test_each_text_gets_one_sentence_feature_of_384_values():
    message = Message({TEXT: "lamp post leaning after a crash"})
    featurizer().process([message])
    _, sentence = message.get_dense_features(TEXT)
    assert sentence is not None and sentence.features.shape == (1, 384)


def test_the_feature_is_deterministic_so_training_and_serving_agree():
    a, b = Message({TEXT: "graffiti on the wall"}), Message({TEXT: "graffiti on the wall"})
    featurizer().process([a, b])
    assert (a.get_dense_features(TEXT)[1].features == b.get_dense_features(TEXT)[1].features).all()


def test_an_empty_message_gets_no_feature():
    message = Message({TEXT: "   "})
    featurizer().process([message])
    assert message.get_dense_features(TEXT) == (None, None)
