"""The reference Open311 GeoReport v2 back office: a plain server any Open311 client can file reports into.

It knows nothing of the assistant, Rasa or chat channels; city staff work the reports through its staff API.
"""
