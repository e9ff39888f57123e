"""Provider adapters. Adding a provider: one module here and one line in ADAPTERS."""

from __future__ import annotations

from ..config import BackendConfig
from .anthropic import AnthropicAdapter
from .base import Adapter, StreamTranslator, UpstreamRequest, Usage
from .bedrock import BedrockAdapter
from .openai import AzureOpenAIAdapter, OpenAIAdapter
from .vertex import VertexAdapter

ADAPTERS: dict[str, type[Adapter]] = {
    "openai": OpenAIAdapter,
    "groq": OpenAIAdapter,
    "vllm": OpenAIAdapter,
    "ollama": OpenAIAdapter,
    "edge": OpenAIAdapter,
    "azure_openai": AzureOpenAIAdapter,
    "anthropic": AnthropicAdapter,
    "bedrock": BedrockAdapter,
    "vertex": VertexAdapter,
}


def make_adapter(cfg: BackendConfig) -> Adapter:
    return ADAPTERS[cfg.provider](cfg)


__all__ = ["ADAPTERS", "Adapter", "StreamTranslator", "UpstreamRequest", "Usage", "make_adapter"]
