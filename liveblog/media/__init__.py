"""Pictures and third-party embeds: validation, storage, their admin inlines and services."""
