"""A minimal client of an OpenAI-compatible chat-completions endpoint (``POST /chat/completions``).

Errors (``ChatError``) cover timeouts, refused connections, HTTP errors and answers that are
not chat completions; the caller decides whether to retry.
"""

from __future__ import annotations

from dataclasses import dataclass

import httpx


class ChatError(RuntimeError):
    """The endpoint gave no usable answer."""


@dataclass(frozen=True)
class ChatEndpoint:
    #: base URL, e.g. ``http://127.0.0.1:8080/v1`` (``/chat/completions`` is appended)
    url: str
    model: str
    api_key: str | None = None
    timeout: float = 30.0


class ChatClient:
    def __init__(self, endpoint: ChatEndpoint) -> None:
        self.endpoint = endpoint
        headers = {"Authorization": f"Bearer {endpoint.api_key}"} if endpoint.api_key else {}
        self._http = httpx.Client(timeout=endpoint.timeout, headers=headers)

    @property
    def version(self) -> str:
        return f"{self.endpoint.model}@{self.endpoint.url}"

    def complete(self, messages: list[dict[str, str]]) -> str:
        """The assistant's reply to ``messages`` (temperature 0)."""
        body = {"model": self.endpoint.model, "messages": messages, "temperature": 0}
        url = self.endpoint.url.rstrip("/") + "/chat/completions"
        try:
            response = self._http.post(url, json=body)
            response.raise_for_status()
            return str(response.json()["choices"][0]["message"]["content"])
        except httpx.TimeoutException as error:
            raise ChatError(f"timed out after {self.endpoint.timeout:g} s") from error
        except httpx.HTTPStatusError as error:
            raise ChatError(f"HTTP {error.response.status_code}") from error
        except httpx.HTTPError as error:
            raise ChatError(f"cannot reach {url} ({error})") from error
        except (ValueError, KeyError, IndexError, TypeError) as error:
            raise ChatError("the reply is not a chat completion") from error
