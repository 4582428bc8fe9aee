"""The conversation: the dialogue a chat widget or Rasa drives over the engine."""
