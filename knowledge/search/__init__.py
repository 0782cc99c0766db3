"""Chinese full-text search over published knowledge: jieba tokens, BM25, synonyms and typo tolerance."""
