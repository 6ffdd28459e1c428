"""City data: everything specific to one city (catalogue, streets, places, areas, FAQ) read from one folder.

Both the assistant (`bot`) and the reference back office (`backoffice`) read city data through this package;
it knows nothing of Rasa, channels or HTTP.
"""
