// Generated from openapi.json by Tests/contract/embed-openapi.sh: edit that file and run the script.

/// The OpenAPI 3.1 document of the server (`openapi.json` at the top of the repository),
/// compiled in so that the one executable serves it at `GET /openapi.json`.
enum OpenAPIDocument {
    static let json = ##"""
{
  "openapi": "3.1.0",
  "info": {
    "title": "SendPromptly (self-hosted)",
    "version": "1.0.0",
    "description": "The HTTP API of the self-hosted SendPromptly server: the two ingest signals, incidents and reprocessing, the operator API and operations. The wire contract it follows is `shared/API.md`; the README's Limits section explains 413, 429 and 431. Every error has the shape of `Error`; nothing of a rejected request is applied. Every route but the operations ones needs an `Accept` that allows `application/json` (406 otherwise) and answers 503 `unavailable` while the server starts or stops."
  },
  "servers": [
    {
      "url": "http://127.0.0.1:8080",
      "description": "`sendpromptly serve` with its defaults"
    }
  ],
  "tags": [
    {
      "name": "ingest"
    },
    {
      "name": "incidents"
    },
    {
      "name": "admin"
    },
    {
      "name": "operations"
    }
  ],
  "paths": {
    "/api/v1/receipt": {
      "post": {
        "operationId": "sendReceipt",
        "summary": "Send a receipt: the acceptance signal",
        "tags": [
          "ingest"
        ],
        "description": "Sent by the webhook handler after it verified the provider's signature and durably accepted the work, before the business effect runs.",
        "parameters": [
          {
            "name": "Idempotency-Key",
            "in": "header",
            "required": true,
            "description": "1 to 255 visible ASCII characters. The same key with the same body within 24 hours answers the first answer again (with `Idempotent-Replayed: true`); with another body, 422 `idempotency_key_reused`.",
            "schema": {
              "type": "string",
              "pattern": "^[!-~]{1,255}$"
            }
          }
        ],
        "requestBody": {
          "required": true,
          "content": {
            "application/json": {
              "schema": {
                "$ref": "#/components/schemas/ReceiptRequest"
              }
            }
          }
        },
        "security": [
          {
            "apiKey": []
          }
        ],
        "responses": {
          "202": {
            "description": "Accepted (or the original event of a provider redelivery, with `duplicate`); sent once the receipt is as durable as `--durability` promises.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/ReceiptAccepted"
                }
              }
            },
            "headers": {
              "Idempotent-Replayed": {
                "description": "`true` when this is the stored answer to an earlier request with the same `Idempotency-Key`.",
                "schema": {
                  "type": "string",
                  "enum": [
                    "true"
                  ]
                }
              }
            },
            "links": {
              "GetEvent": {
                "operationId": "getEvent",
                "parameters": {
                  "event_id": "$response.body#/event_id"
                }
              },
              "SendResult": {
                "operationId": "sendResult",
                "requestBody": {
                  "event_id": "$response.body#/event_id",
                  "status": "failed",
                  "error_code": "contract"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/IngestBadRequest"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "406": {
            "$ref": "#/components/responses/NotAcceptable"
          },
          "413": {
            "$ref": "#/components/responses/PayloadTooLarge"
          },
          "415": {
            "$ref": "#/components/responses/UnsupportedMediaType"
          },
          "422": {
            "$ref": "#/components/responses/IngestUnprocessable"
          },
          "429": {
            "$ref": "#/components/responses/RateLimited"
          },
          "431": {
            "$ref": "#/components/responses/HeadersTooLarge"
          },
          "500": {
            "$ref": "#/components/responses/InternalError"
          },
          "503": {
            "$ref": "#/components/responses/Unavailable"
          }
        }
      }
    },
    "/api/v1/result": {
      "post": {
        "operationId": "sendResult",
        "summary": "Send a result: the outcome signal",
        "tags": [
          "ingest"
        ],
        "description": "404 `not_found` for an event not in this project; 422 `validation_error` (field `replay_id`) for a replay that does not belong to the event's incident.",
        "parameters": [
          {
            "name": "Idempotency-Key",
            "in": "header",
            "required": true,
            "description": "1 to 255 visible ASCII characters. The same key with the same body within 24 hours answers the first answer again (with `Idempotent-Replayed: true`); with another body, 422 `idempotency_key_reused`.",
            "schema": {
              "type": "string",
              "pattern": "^[!-~]{1,255}$"
            }
          }
        ],
        "requestBody": {
          "required": true,
          "content": {
            "application/json": {
              "schema": {
                "$ref": "#/components/schemas/ResultRequest"
              }
            }
          }
        },
        "security": [
          {
            "apiKey": []
          }
        ],
        "responses": {
          "200": {
            "description": "Applied by the state table of the wire contract, section 3.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/ResultApplied"
                }
              }
            },
            "headers": {
              "Idempotent-Replayed": {
                "description": "`true` when this is the stored answer to an earlier request with the same `Idempotency-Key`.",
                "schema": {
                  "type": "string",
                  "enum": [
                    "true"
                  ]
                }
              }
            },
            "links": {
              "GetIncident": {
                "operationId": "getIncident",
                "parameters": {
                  "incident_id": "$response.body#/incident_id"
                }
              },
              "ReprocessIncident": {
                "operationId": "reprocessIncident",
                "parameters": {
                  "incident_id": "$response.body#/incident_id"
                }
              },
              "ResolveIncident": {
                "operationId": "resolveIncident",
                "parameters": {
                  "incident_id": "$response.body#/incident_id"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/IngestBadRequest"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "404": {
            "$ref": "#/components/responses/NotFound"
          },
          "406": {
            "$ref": "#/components/responses/NotAcceptable"
          },
          "413": {
            "$ref": "#/components/responses/PayloadTooLarge"
          },
          "415": {
            "$ref": "#/components/responses/UnsupportedMediaType"
          },
          "422": {
            "$ref": "#/components/responses/IngestUnprocessable"
          },
          "429": {
            "$ref": "#/components/responses/RateLimited"
          },
          "431": {
            "$ref": "#/components/responses/HeadersTooLarge"
          },
          "500": {
            "$ref": "#/components/responses/InternalError"
          },
          "503": {
            "$ref": "#/components/responses/Unavailable"
          }
        }
      }
    },
    "/v1/receipt": {
      "post": {
        "operationId": "sendReceiptShort",
        "summary": "Send a receipt: the acceptance signal",
        "tags": [
          "ingest"
        ],
        "description": "Sent by the webhook handler after it verified the provider's signature and durably accepted the work, before the business effect runs. The same as `POST /api/v1/receipt`.",
        "parameters": [
          {
            "name": "Idempotency-Key",
            "in": "header",
            "required": true,
            "description": "1 to 255 visible ASCII characters. The same key with the same body within 24 hours answers the first answer again (with `Idempotent-Replayed: true`); with another body, 422 `idempotency_key_reused`.",
            "schema": {
              "type": "string",
              "pattern": "^[!-~]{1,255}$"
            }
          }
        ],
        "requestBody": {
          "required": true,
          "content": {
            "application/json": {
              "schema": {
                "$ref": "#/components/schemas/ReceiptRequest"
              }
            }
          }
        },
        "security": [
          {
            "apiKey": []
          }
        ],
        "responses": {
          "202": {
            "description": "Accepted (or the original event of a provider redelivery, with `duplicate`); sent once the receipt is as durable as `--durability` promises.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/ReceiptAccepted"
                }
              }
            },
            "headers": {
              "Idempotent-Replayed": {
                "description": "`true` when this is the stored answer to an earlier request with the same `Idempotency-Key`.",
                "schema": {
                  "type": "string",
                  "enum": [
                    "true"
                  ]
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/IngestBadRequest"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "406": {
            "$ref": "#/components/responses/NotAcceptable"
          },
          "413": {
            "$ref": "#/components/responses/PayloadTooLarge"
          },
          "415": {
            "$ref": "#/components/responses/UnsupportedMediaType"
          },
          "422": {
            "$ref": "#/components/responses/IngestUnprocessable"
          },
          "429": {
            "$ref": "#/components/responses/RateLimited"
          },
          "431": {
            "$ref": "#/components/responses/HeadersTooLarge"
          },
          "500": {
            "$ref": "#/components/responses/InternalError"
          },
          "503": {
            "$ref": "#/components/responses/Unavailable"
          }
        }
      }
    },
    "/v1/result": {
      "post": {
        "operationId": "sendResultShort",
        "summary": "Send a result: the outcome signal",
        "tags": [
          "ingest"
        ],
        "description": "404 `not_found` for an event not in this project; 422 `validation_error` (field `replay_id`) for a replay that does not belong to the event's incident. The same as `POST /api/v1/result`.",
        "parameters": [
          {
            "name": "Idempotency-Key",
            "in": "header",
            "required": true,
            "description": "1 to 255 visible ASCII characters. The same key with the same body within 24 hours answers the first answer again (with `Idempotent-Replayed: true`); with another body, 422 `idempotency_key_reused`.",
            "schema": {
              "type": "string",
              "pattern": "^[!-~]{1,255}$"
            }
          }
        ],
        "requestBody": {
          "required": true,
          "content": {
            "application/json": {
              "schema": {
                "$ref": "#/components/schemas/ResultRequest"
              }
            }
          }
        },
        "security": [
          {
            "apiKey": []
          }
        ],
        "responses": {
          "200": {
            "description": "Applied by the state table of the wire contract, section 3.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/ResultApplied"
                }
              }
            },
            "headers": {
              "Idempotent-Replayed": {
                "description": "`true` when this is the stored answer to an earlier request with the same `Idempotency-Key`.",
                "schema": {
                  "type": "string",
                  "enum": [
                    "true"
                  ]
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/IngestBadRequest"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "404": {
            "$ref": "#/components/responses/NotFound"
          },
          "406": {
            "$ref": "#/components/responses/NotAcceptable"
          },
          "413": {
            "$ref": "#/components/responses/PayloadTooLarge"
          },
          "415": {
            "$ref": "#/components/responses/UnsupportedMediaType"
          },
          "422": {
            "$ref": "#/components/responses/IngestUnprocessable"
          },
          "429": {
            "$ref": "#/components/responses/RateLimited"
          },
          "431": {
            "$ref": "#/components/responses/HeadersTooLarge"
          },
          "500": {
            "$ref": "#/components/responses/InternalError"
          },
          "503": {
            "$ref": "#/components/responses/Unavailable"
          }
        }
      }
    },
    "/api/v1/events/{event_id}": {
      "get": {
        "operationId": "getEvent",
        "summary": "An event (a receipt) of the key's project",
        "tags": [
          "incidents"
        ],
        "parameters": [
          {
            "name": "event_id",
            "in": "path",
            "required": true,
            "description": "`ev_...`",
            "schema": {
              "type": "string"
            }
          }
        ],
        "security": [
          {
            "apiKey": []
          }
        ],
        "responses": {
          "200": {
            "description": "The receipt, its state and deadline.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Event"
                }
              }
            }
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "404": {
            "$ref": "#/components/responses/NotFound"
          },
          "406": {
            "$ref": "#/components/responses/NotAcceptable"
          },
          "431": {
            "$ref": "#/components/responses/HeadersTooLarge"
          },
          "503": {
            "$ref": "#/components/responses/Unavailable"
          }
        }
      }
    },
    "/api/v1/incidents": {
      "get": {
        "operationId": "listIncidents",
        "summary": "Incidents of the key's project, newest first",
        "tags": [
          "incidents"
        ],
        "parameters": [
          {
            "name": "status",
            "in": "query",
            "required": false,
            "schema": {
              "type": "string",
              "enum": [
                "open",
                "reprocessing",
                "resolved"
              ]
            }
          },
          {
            "name": "limit",
            "in": "query",
            "required": false,
            "schema": {
              "type": "integer",
              "minimum": 1,
              "maximum": 200,
              "default": 50
            }
          },
          {
            "name": "cursor",
            "in": "query",
            "required": false,
            "description": "`next_cursor` of the previous page; 422 when it is not one.",
            "schema": {
              "type": "string"
            }
          }
        ],
        "security": [
          {
            "apiKey": []
          }
        ],
        "responses": {
          "200": {
            "description": "One page.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/IncidentPage"
                }
              }
            }
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "406": {
            "$ref": "#/components/responses/NotAcceptable"
          },
          "422": {
            "$ref": "#/components/responses/ValidationError"
          },
          "431": {
            "$ref": "#/components/responses/HeadersTooLarge"
          },
          "503": {
            "$ref": "#/components/responses/Unavailable"
          }
        }
      }
    },
    "/api/v1/incidents/reprocess": {
      "post": {
        "operationId": "reprocessIncidents",
        "summary": "Reprocess every open incident opened in a time range",
        "tags": [
          "incidents"
        ],
        "description": "Needs scope `manage`. 409 `conflict` when the project has no repair URL.",
        "requestBody": {
          "required": true,
          "content": {
            "application/json": {
              "schema": {
                "$ref": "#/components/schemas/BulkReprocessRequest"
              }
            }
          }
        },
        "security": [
          {
            "apiKey": []
          }
        ],
        "responses": {
          "202": {
            "description": "Replays started, oldest incident first, at most `limit` (1000).",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/BulkReprocessStarted"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/InvalidJSON"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "403": {
            "$ref": "#/components/responses/Forbidden"
          },
          "406": {
            "$ref": "#/components/responses/NotAcceptable"
          },
          "409": {
            "$ref": "#/components/responses/Conflict"
          },
          "413": {
            "$ref": "#/components/responses/PayloadTooLarge"
          },
          "415": {
            "$ref": "#/components/responses/UnsupportedMediaType"
          },
          "422": {
            "$ref": "#/components/responses/ValidationError"
          },
          "431": {
            "$ref": "#/components/responses/HeadersTooLarge"
          },
          "503": {
            "$ref": "#/components/responses/Unavailable"
          }
        }
      }
    },
    "/api/v1/incidents/{incident_id}": {
      "get": {
        "operationId": "getIncident",
        "summary": "An incident with its timeline, replays and alerts",
        "tags": [
          "incidents"
        ],
        "parameters": [
          {
            "name": "incident_id",
            "in": "path",
            "required": true,
            "description": "`inc_...`",
            "schema": {
              "type": "string"
            }
          }
        ],
        "security": [
          {
            "apiKey": []
          }
        ],
        "responses": {
          "200": {
            "description": "The incident.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Incident"
                }
              }
            }
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "404": {
            "$ref": "#/components/responses/NotFound"
          },
          "406": {
            "$ref": "#/components/responses/NotAcceptable"
          },
          "431": {
            "$ref": "#/components/responses/HeadersTooLarge"
          },
          "503": {
            "$ref": "#/components/responses/Unavailable"
          }
        }
      }
    },
    "/api/v1/incidents/{incident_id}/reprocess": {
      "post": {
        "operationId": "reprocessIncident",
        "summary": "Reprocess an incident: a signed callback to the repair URL",
        "tags": [
          "incidents"
        ],
        "description": "Needs scope `manage`. No body. 409 `conflict` if the project has no repair URL or the incident is resolved.",
        "parameters": [
          {
            "name": "incident_id",
            "in": "path",
            "required": true,
            "description": "`inc_...`",
            "schema": {
              "type": "string"
            }
          }
        ],
        "security": [
          {
            "apiKey": []
          }
        ],
        "responses": {
          "202": {
            "description": "The replay started; the incident is `reprocessing`.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/ReplayStarted"
                }
              }
            },
            "links": {
              "GetIncident": {
                "operationId": "getIncident",
                "parameters": {
                  "incident_id": "$response.body#/incident_id"
                }
              }
            }
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "403": {
            "$ref": "#/components/responses/Forbidden"
          },
          "404": {
            "$ref": "#/components/responses/NotFound"
          },
          "406": {
            "$ref": "#/components/responses/NotAcceptable"
          },
          "409": {
            "$ref": "#/components/responses/Conflict"
          },
          "431": {
            "$ref": "#/components/responses/HeadersTooLarge"
          },
          "503": {
            "$ref": "#/components/responses/Unavailable"
          }
        }
      }
    },
    "/api/v1/incidents/{incident_id}/resolve": {
      "post": {
        "operationId": "resolveIncident",
        "summary": "Resolve an incident by hand (resolution `manual`)",
        "tags": [
          "incidents"
        ],
        "description": "Needs scope `manage`. 409 `conflict` if the incident is already resolved.",
        "parameters": [
          {
            "name": "incident_id",
            "in": "path",
            "required": true,
            "description": "`inc_...`",
            "schema": {
              "type": "string"
            }
          }
        ],
        "requestBody": {
          "required": false,
          "content": {
            "application/json": {
              "schema": {
                "$ref": "#/components/schemas/ResolveRequest"
              }
            }
          },
          "description": "Optional; an empty body needs no `Content-Type`."
        },
        "security": [
          {
            "apiKey": []
          }
        ],
        "responses": {
          "200": {
            "description": "The resolved incident.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Incident"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/InvalidJSON"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "403": {
            "$ref": "#/components/responses/Forbidden"
          },
          "404": {
            "$ref": "#/components/responses/NotFound"
          },
          "406": {
            "$ref": "#/components/responses/NotAcceptable"
          },
          "409": {
            "$ref": "#/components/responses/Conflict"
          },
          "413": {
            "$ref": "#/components/responses/PayloadTooLarge"
          },
          "415": {
            "$ref": "#/components/responses/UnsupportedMediaType"
          },
          "422": {
            "$ref": "#/components/responses/ValidationError"
          },
          "431": {
            "$ref": "#/components/responses/HeadersTooLarge"
          },
          "503": {
            "$ref": "#/components/responses/Unavailable"
          }
        }
      }
    },
    "/admin/v1/projects": {
      "post": {
        "operationId": "createProject",
        "summary": "Create a project with its first API key",
        "tags": [
          "admin"
        ],
        "requestBody": {
          "required": true,
          "content": {
            "application/json": {
              "schema": {
                "$ref": "#/components/schemas/ProjectCreate"
              }
            }
          }
        },
        "security": [
          {
            "adminToken": []
          }
        ],
        "responses": {
          "201": {
            "description": "Created.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/ProjectCreated"
                }
              }
            },
            "links": {
              "GetProject": {
                "operationId": "getProject",
                "parameters": {
                  "project_id": "$response.body#/project_id"
                }
              },
              "UpdateProject": {
                "operationId": "updateProject",
                "parameters": {
                  "project_id": "$response.body#/project_id"
                }
              },
              "CreateKey": {
                "operationId": "createKey",
                "parameters": {
                  "project_id": "$response.body#/project_id"
                }
              },
              "ListKeys": {
                "operationId": "listKeys",
                "parameters": {
                  "project_id": "$response.body#/project_id"
                }
              },
              "RotateSigningSecret": {
                "operationId": "rotateSigningSecret",
                "parameters": {
                  "project_id": "$response.body#/project_id"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/InvalidJSON"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "406": {
            "$ref": "#/components/responses/NotAcceptable"
          },
          "413": {
            "$ref": "#/components/responses/PayloadTooLarge"
          },
          "415": {
            "$ref": "#/components/responses/UnsupportedMediaType"
          },
          "422": {
            "$ref": "#/components/responses/ValidationError"
          },
          "431": {
            "$ref": "#/components/responses/HeadersTooLarge"
          },
          "503": {
            "$ref": "#/components/responses/Unavailable"
          }
        }
      },
      "get": {
        "operationId": "listProjects",
        "summary": "Every project, oldest first",
        "tags": [
          "admin"
        ],
        "security": [
          {
            "adminToken": []
          }
        ],
        "responses": {
          "200": {
            "description": "The projects (without signing secrets).",
            "content": {
              "application/json": {
                "schema": {
                  "type": "object",
                  "properties": {
                    "projects": {
                      "type": "array",
                      "items": {
                        "$ref": "#/components/schemas/Project"
                      }
                    }
                  },
                  "required": [
                    "projects"
                  ],
                  "additionalProperties": false
                }
              }
            }
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "406": {
            "$ref": "#/components/responses/NotAcceptable"
          },
          "431": {
            "$ref": "#/components/responses/HeadersTooLarge"
          },
          "503": {
            "$ref": "#/components/responses/Unavailable"
          }
        }
      }
    },
    "/admin/v1/projects/{project_id}": {
      "get": {
        "operationId": "getProject",
        "summary": "A project, with its signing secret",
        "tags": [
          "admin"
        ],
        "parameters": [
          {
            "name": "project_id",
            "in": "path",
            "required": true,
            "description": "`prj_...`",
            "schema": {
              "type": "string"
            }
          }
        ],
        "security": [
          {
            "adminToken": []
          }
        ],
        "responses": {
          "200": {
            "description": "The project.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/ProjectWithSecret"
                }
              }
            }
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "404": {
            "$ref": "#/components/responses/NotFound"
          },
          "406": {
            "$ref": "#/components/responses/NotAcceptable"
          },
          "431": {
            "$ref": "#/components/responses/HeadersTooLarge"
          },
          "503": {
            "$ref": "#/components/responses/Unavailable"
          }
        }
      },
      "patch": {
        "operationId": "updateProject",
        "summary": "Change a project's settings",
        "tags": [
          "admin"
        ],
        "parameters": [
          {
            "name": "project_id",
            "in": "path",
            "required": true,
            "description": "`prj_...`",
            "schema": {
              "type": "string"
            }
          }
        ],
        "requestBody": {
          "required": true,
          "content": {
            "application/json": {
              "schema": {
                "$ref": "#/components/schemas/ProjectUpdate"
              }
            }
          }
        },
        "security": [
          {
            "adminToken": []
          }
        ],
        "responses": {
          "200": {
            "description": "The project as changed.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Project"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/InvalidJSON"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "404": {
            "$ref": "#/components/responses/NotFound"
          },
          "406": {
            "$ref": "#/components/responses/NotAcceptable"
          },
          "413": {
            "$ref": "#/components/responses/PayloadTooLarge"
          },
          "415": {
            "$ref": "#/components/responses/UnsupportedMediaType"
          },
          "422": {
            "$ref": "#/components/responses/ValidationError"
          },
          "431": {
            "$ref": "#/components/responses/HeadersTooLarge"
          },
          "503": {
            "$ref": "#/components/responses/Unavailable"
          }
        }
      }
    },
    "/admin/v1/projects/{project_id}/keys": {
      "post": {
        "operationId": "createKey",
        "summary": "Create an API key",
        "tags": [
          "admin"
        ],
        "parameters": [
          {
            "name": "project_id",
            "in": "path",
            "required": true,
            "description": "`prj_...`",
            "schema": {
              "type": "string"
            }
          }
        ],
        "requestBody": {
          "required": true,
          "content": {
            "application/json": {
              "schema": {
                "$ref": "#/components/schemas/KeyCreate"
              }
            }
          }
        },
        "security": [
          {
            "adminToken": []
          }
        ],
        "responses": {
          "201": {
            "description": "The key, shown in this answer only.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/KeyCreated"
                }
              }
            },
            "links": {
              "RevokeKey": {
                "operationId": "revokeKey",
                "parameters": {
                  "project_id": "$request.path.project_id",
                  "key_id": "$response.body#/key_id"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/InvalidJSON"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "404": {
            "$ref": "#/components/responses/NotFound"
          },
          "406": {
            "$ref": "#/components/responses/NotAcceptable"
          },
          "413": {
            "$ref": "#/components/responses/PayloadTooLarge"
          },
          "415": {
            "$ref": "#/components/responses/UnsupportedMediaType"
          },
          "422": {
            "$ref": "#/components/responses/ValidationError"
          },
          "431": {
            "$ref": "#/components/responses/HeadersTooLarge"
          },
          "503": {
            "$ref": "#/components/responses/Unavailable"
          }
        }
      },
      "get": {
        "operationId": "listKeys",
        "summary": "A project's keys: ids, labels, scopes, times; never the key",
        "tags": [
          "admin"
        ],
        "parameters": [
          {
            "name": "project_id",
            "in": "path",
            "required": true,
            "description": "`prj_...`",
            "schema": {
              "type": "string"
            }
          }
        ],
        "security": [
          {
            "adminToken": []
          }
        ],
        "responses": {
          "200": {
            "description": "The keys.",
            "content": {
              "application/json": {
                "schema": {
                  "type": "object",
                  "properties": {
                    "keys": {
                      "type": "array",
                      "items": {
                        "$ref": "#/components/schemas/Key"
                      }
                    }
                  },
                  "required": [
                    "keys"
                  ],
                  "additionalProperties": false
                }
              }
            }
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "404": {
            "$ref": "#/components/responses/NotFound"
          },
          "406": {
            "$ref": "#/components/responses/NotAcceptable"
          },
          "431": {
            "$ref": "#/components/responses/HeadersTooLarge"
          },
          "503": {
            "$ref": "#/components/responses/Unavailable"
          }
        }
      }
    },
    "/admin/v1/projects/{project_id}/keys/{key_id}": {
      "delete": {
        "operationId": "revokeKey",
        "summary": "Revoke a key at once",
        "tags": [
          "admin"
        ],
        "parameters": [
          {
            "name": "project_id",
            "in": "path",
            "required": true,
            "description": "`prj_...`",
            "schema": {
              "type": "string"
            }
          },
          {
            "name": "key_id",
            "in": "path",
            "required": true,
            "description": "`key_...`",
            "schema": {
              "type": "string"
            }
          }
        ],
        "security": [
          {
            "adminToken": []
          }
        ],
        "responses": {
          "200": {
            "description": "The revoked key (revoking twice keeps the first time).",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Key"
                }
              }
            }
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "404": {
            "$ref": "#/components/responses/NotFound"
          },
          "406": {
            "$ref": "#/components/responses/NotAcceptable"
          },
          "431": {
            "$ref": "#/components/responses/HeadersTooLarge"
          },
          "503": {
            "$ref": "#/components/responses/Unavailable"
          }
        }
      }
    },
    "/admin/v1/projects/{project_id}/signing-secret/rotate": {
      "post": {
        "operationId": "rotateSigningSecret",
        "summary": "Rotate the signing secret",
        "tags": [
          "admin"
        ],
        "description": "No body.",
        "parameters": [
          {
            "name": "project_id",
            "in": "path",
            "required": true,
            "description": "`prj_...`",
            "schema": {
              "type": "string"
            }
          }
        ],
        "security": [
          {
            "adminToken": []
          }
        ],
        "responses": {
          "200": {
            "description": "The new secret; the old one keeps signing alongside for 24 hours.",
            "content": {
              "application/json": {
                "schema": {
                  "type": "object",
                  "properties": {
                    "signing_secret": {
                      "type": "string",
                      "pattern": "^sps_[A-Za-z0-9_-]{43}$"
                    }
                  },
                  "required": [
                    "signing_secret"
                  ],
                  "additionalProperties": false
                }
              }
            }
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "404": {
            "$ref": "#/components/responses/NotFound"
          },
          "406": {
            "$ref": "#/components/responses/NotAcceptable"
          },
          "431": {
            "$ref": "#/components/responses/HeadersTooLarge"
          },
          "503": {
            "$ref": "#/components/responses/Unavailable"
          }
        }
      }
    },
    "/admin/v1/audit": {
      "get": {
        "operationId": "listAuditEntries",
        "summary": "The audit trail of operator actions, newest first",
        "description": "Every project creation and change, key issued or revoked, secret rotation, reprocess and resolve, with who did it (the admin token, a console session, or a project's API key by id) and when. Field names of a change are recorded, never their values.",
        "tags": [
          "admin"
        ],
        "security": [
          {
            "adminToken": []
          }
        ],
        "parameters": [
          {
            "name": "project_id",
            "in": "query",
            "required": false,
            "description": "Only this project's entries.",
            "schema": {
              "type": "string"
            }
          },
          {
            "name": "limit",
            "in": "query",
            "required": false,
            "description": "At most this many entries (1 to 1000, 100 by default).",
            "schema": {
              "type": "integer",
              "minimum": 1,
              "maximum": 1000
            }
          }
        ],
        "responses": {
          "200": {
            "description": "The entries.",
            "content": {
              "application/json": {
                "schema": {
                  "type": "object",
                  "properties": {
                    "entries": {
                      "type": "array",
                      "items": {
                        "type": "object",
                        "properties": {
                          "at": {
                            "type": "string",
                            "format": "date-time"
                          },
                          "actor": {
                            "type": "string"
                          },
                          "action": {
                            "type": "string"
                          },
                          "project_id": {
                            "type": "string"
                          },
                          "target": {
                            "type": [
                              "string",
                              "null"
                            ]
                          },
                          "detail": {
                            "type": [
                              "string",
                              "null"
                            ]
                          }
                        },
                        "required": [
                          "at",
                          "actor",
                          "action",
                          "project_id",
                          "target",
                          "detail"
                        ],
                        "additionalProperties": false
                      }
                    }
                  },
                  "required": [
                    "entries"
                  ],
                  "additionalProperties": false
                }
              }
            }
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "404": {
            "$ref": "#/components/responses/NotFound"
          },
          "406": {
            "$ref": "#/components/responses/NotAcceptable"
          },
          "422": {
            "$ref": "#/components/responses/ValidationError"
          },
          "431": {
            "$ref": "#/components/responses/HeadersTooLarge"
          },
          "503": {
            "$ref": "#/components/responses/Unavailable"
          }
        }
      }
    },
    "/healthz": {
      "get": {
        "operationId": "health",
        "summary": "200 while the process serves",
        "tags": [
          "operations"
        ],
        "security": [],
        "responses": {
          "200": {
            "description": "Serving.",
            "content": {
              "application/json": {
                "schema": {
                  "type": "object",
                  "properties": {
                    "status": {
                      "const": "ok"
                    }
                  },
                  "required": [
                    "status"
                  ],
                  "additionalProperties": false
                }
              }
            }
          },
          "431": {
            "$ref": "#/components/responses/HeadersTooLarge"
          }
        }
      }
    },
    "/readyz": {
      "get": {
        "operationId": "ready",
        "summary": "200 once recovery is finished",
        "tags": [
          "operations"
        ],
        "security": [],
        "responses": {
          "200": {
            "description": "Ready.",
            "content": {
              "application/json": {
                "schema": {
                  "type": "object",
                  "properties": {
                    "status": {
                      "const": "ready"
                    }
                  },
                  "required": [
                    "status"
                  ],
                  "additionalProperties": false
                }
              }
            }
          },
          "431": {
            "$ref": "#/components/responses/HeadersTooLarge"
          },
          "503": {
            "$ref": "#/components/responses/Unavailable"
          }
        }
      }
    },
    "/metrics": {
      "get": {
        "operationId": "metrics",
        "summary": "Prometheus metrics",
        "tags": [
          "operations"
        ],
        "security": [],
        "responses": {
          "200": {
            "description": "The Prometheus text exposition format.",
            "content": {
              "text/plain": {
                "schema": {
                  "type": "string"
                }
              }
            }
          },
          "431": {
            "$ref": "#/components/responses/HeadersTooLarge"
          }
        }
      }
    },
    "/openapi.json": {
      "get": {
        "operationId": "openAPI",
        "summary": "This document",
        "tags": [
          "operations"
        ],
        "security": [],
        "responses": {
          "200": {
            "description": "The OpenAPI 3.1 document of this server.",
            "content": {
              "application/json": {
                "schema": {
                  "type": "object"
                }
              }
            }
          },
          "431": {
            "$ref": "#/components/responses/HeadersTooLarge"
          }
        }
      }
    }
  },
  "components": {
    "securitySchemes": {
      "apiKey": {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "sk_ followed by 40 of [A-Za-z0-9]",
        "description": "A project's API key. Scope `ingest`: receipt, result and reads of its own project; scope `manage`: also reprocess and resolve."
      },
      "adminToken": {
        "type": "http",
        "scheme": "bearer",
        "description": "The operator's admin token (`--admin-token`, or generated on first start)."
      }
    },
    "schemas": {
      "Error": {
        "type": "object",
        "properties": {
          "error": {
            "type": "object",
            "properties": {
              "code": {
                "type": "string",
                "description": "One of the codes of the wire contract, section 2."
              },
              "message": {
                "type": "string"
              },
              "field": {
                "type": "string",
                "description": "The field at fault, where one is."
              }
            },
            "required": [
              "code",
              "message"
            ],
            "additionalProperties": false
          }
        },
        "required": [
          "error"
        ],
        "additionalProperties": false,
        "description": "Every error the server answers. Nothing of a rejected request is applied."
      },
      "ReceiptRequest": {
        "type": "object",
        "properties": {
          "provider": {
            "type": "string",
            "enum": [
              "stripe",
              "shopify"
            ]
          },
          "provider_event_id": {
            "type": "string",
            "minLength": 1,
            "maxLength": 255,
            "description": "The canonical id (Stripe `evt_...`, Shopify webhook id)."
          },
          "stripe_event_id": {
            "type": "string",
            "minLength": 1,
            "maxLength": 255,
            "description": "Accepted instead of `provider_event_id` when provider is `stripe`."
          },
          "event_type": {
            "type": "string",
            "minLength": 1,
            "maxLength": 255,
            "examples": [
              "checkout.session.completed"
            ]
          },
          "effect_type": {
            "type": "string",
            "enum": [
              "access_unlock",
              "credit_grant",
              "seat_update",
              "subscription_state_apply",
              "access_revocation",
              "credit_deduction"
            ]
          },
          "internal_reference": {
            "type": "string",
            "minLength": 1,
            "maxLength": 255,
            "description": "Your user, workspace or account id."
          },
          "occurred_at": {
            "type": "string",
            "format": "date-time"
          },
          "shopify_shop_domain": {
            "type": "string",
            "minLength": 1,
            "maxLength": 255
          },
          "timeout_minutes": {
            "type": "integer",
            "minimum": 1,
            "maximum": 10080,
            "description": "Overrides the project's default (30)."
          },
          "timeout_seconds": {
            "type": "integer",
            "minimum": 1,
            "maximum": 604800,
            "description": "Finer-grained alternative; not together with `timeout_minutes`."
          }
        },
        "required": [
          "provider",
          "event_type",
          "effect_type"
        ],
        "maxProperties": 32,
        "oneOf": [
          {
            "required": [
              "provider_event_id"
            ],
            "properties": {
              "stripe_event_id": false
            }
          },
          {
            "required": [
              "stripe_event_id"
            ],
            "properties": {
              "provider": {
                "const": "stripe"
              },
              "provider_event_id": false
            }
          }
        ],
        "not": {
          "required": [
            "timeout_minutes",
            "timeout_seconds"
          ]
        },
        "description": "One of `provider_event_id` and `stripe_event_id` (`stripe_event_id` only with provider `stripe`; the server also takes both when they are equal); not both `timeout_minutes` and `timeout_seconds`. Other members are ignored; `null` counts as absent."
      },
      "ReceiptAccepted": {
        "type": "object",
        "properties": {
          "event_id": {
            "type": "string",
            "pattern": "^ev_"
          },
          "timeout_at": {
            "type": "string",
            "format": "date-time",
            "description": "RFC 3339 in UTC, milliseconds (2026-11-29T06:30:00.000Z)"
          },
          "accepted": {
            "const": true
          },
          "duplicate": {
            "const": true,
            "description": "Present on a provider redelivery: the original event, its deadline not extended."
          }
        },
        "required": [
          "event_id",
          "timeout_at",
          "accepted"
        ],
        "additionalProperties": false
      },
      "ResultRequest": {
        "type": "object",
        "properties": {
          "event_id": {
            "type": "string",
            "minLength": 1,
            "maxLength": 64
          },
          "provider_event_id": {
            "type": "string",
            "minLength": 1,
            "maxLength": 255
          },
          "stripe_event_id": {
            "type": "string",
            "minLength": 1,
            "maxLength": 255
          },
          "status": {
            "type": "string",
            "enum": [
              "success",
              "failed"
            ]
          },
          "error_code": {
            "type": "string",
            "minLength": 1,
            "maxLength": 100,
            "description": "Machine-readable failure label."
          },
          "error_message": {
            "type": "string",
            "minLength": 1,
            "maxLength": 2000
          },
          "replay_id": {
            "type": "string",
            "minLength": 1,
            "maxLength": 64,
            "description": "Set when reporting the outcome of a reprocess."
          }
        },
        "required": [
          "status"
        ],
        "maxProperties": 32,
        "oneOf": [
          {
            "required": [
              "event_id"
            ]
          },
          {
            "required": [
              "provider_event_id"
            ]
          },
          {
            "required": [
              "stripe_event_id"
            ]
          }
        ],
        "description": "Exactly one of `event_id`, `provider_event_id`, `stripe_event_id`. Other members are ignored; `null` counts as absent."
      },
      "ResultApplied": {
        "type": "object",
        "properties": {
          "event_id": {
            "type": "string"
          },
          "status": {
            "type": "string",
            "enum": [
              "succeeded",
              "failed"
            ]
          },
          "incident_id": {
            "type": [
              "string",
              "null"
            ]
          },
          "incident_status": {
            "type": [
              "string",
              "null"
            ],
            "enum": [
              "open",
              "reprocessing",
              "resolved",
              null
            ]
          }
        },
        "required": [
          "event_id",
          "status",
          "incident_id",
          "incident_status"
        ],
        "additionalProperties": false
      },
      "ReportedError": {
        "type": [
          "object",
          "null"
        ],
        "properties": {
          "code": {
            "type": [
              "string",
              "null"
            ]
          },
          "message": {
            "type": [
              "string",
              "null"
            ]
          }
        },
        "required": [
          "code",
          "message"
        ],
        "additionalProperties": false
      },
      "Event": {
        "type": "object",
        "properties": {
          "event_id": {
            "type": "string"
          },
          "provider": {
            "type": "string",
            "enum": [
              "stripe",
              "shopify"
            ]
          },
          "provider_event_id": {
            "type": "string"
          },
          "event_type": {
            "type": "string"
          },
          "effect_type": {
            "type": "string",
            "enum": [
              "access_unlock",
              "credit_grant",
              "seat_update",
              "subscription_state_apply",
              "access_revocation",
              "credit_deduction"
            ]
          },
          "internal_reference": {
            "type": [
              "string",
              "null"
            ]
          },
          "occurred_at": {
            "type": [
              "string",
              "null"
            ],
            "format": "date-time"
          },
          "shopify_shop_domain": {
            "type": [
              "string",
              "null"
            ]
          },
          "state": {
            "type": "string",
            "enum": [
              "pending",
              "succeeded",
              "failed",
              "timed_out"
            ]
          },
          "accepted_at": {
            "type": "string",
            "format": "date-time",
            "description": "RFC 3339 in UTC, milliseconds (2026-11-29T06:30:00.000Z)"
          },
          "timeout_at": {
            "type": "string",
            "format": "date-time",
            "description": "RFC 3339 in UTC, milliseconds (2026-11-29T06:30:00.000Z)"
          },
          "result_at": {
            "type": [
              "string",
              "null"
            ],
            "format": "date-time"
          },
          "last_error": {
            "$ref": "#/components/schemas/ReportedError"
          },
          "incident_id": {
            "type": [
              "string",
              "null"
            ]
          }
        },
        "required": [
          "event_id",
          "provider",
          "provider_event_id",
          "event_type",
          "effect_type",
          "internal_reference",
          "occurred_at",
          "shopify_shop_domain",
          "state",
          "accepted_at",
          "timeout_at",
          "result_at",
          "last_error",
          "incident_id"
        ],
        "additionalProperties": false
      },
      "Attempt": {
        "type": "object",
        "properties": {
          "attempt": {
            "type": "integer",
            "minimum": 1
          },
          "at": {
            "type": "string",
            "format": "date-time",
            "description": "RFC 3339 in UTC, milliseconds (2026-11-29T06:30:00.000Z)"
          },
          "status_code": {
            "type": [
              "integer",
              "null"
            ]
          },
          "error": {
            "type": [
              "string",
              "null"
            ]
          }
        },
        "required": [
          "attempt",
          "at",
          "status_code",
          "error"
        ],
        "additionalProperties": false
      },
      "Incident": {
        "type": "object",
        "properties": {
          "id": {
            "type": "string",
            "pattern": "^inc_"
          },
          "event_id": {
            "type": "string"
          },
          "reason": {
            "type": "string",
            "enum": [
              "timeout",
              "failed"
            ]
          },
          "status": {
            "type": "string",
            "enum": [
              "open",
              "reprocessing",
              "resolved"
            ]
          },
          "opened_at": {
            "type": "string",
            "format": "date-time",
            "description": "RFC 3339 in UTC, milliseconds (2026-11-29T06:30:00.000Z)"
          },
          "resolved_at": {
            "type": [
              "string",
              "null"
            ],
            "format": "date-time"
          },
          "resolution": {
            "type": [
              "string",
              "null"
            ],
            "enum": [
              "late_success",
              "replay_success",
              "manual",
              null
            ]
          },
          "resolution_note": {
            "type": [
              "string",
              "null"
            ]
          },
          "provider": {
            "type": "string",
            "enum": [
              "stripe",
              "shopify"
            ]
          },
          "provider_event_id": {
            "type": "string"
          },
          "event_type": {
            "type": "string"
          },
          "effect_type": {
            "type": "string",
            "enum": [
              "access_unlock",
              "credit_grant",
              "seat_update",
              "subscription_state_apply",
              "access_revocation",
              "credit_deduction"
            ]
          },
          "internal_reference": {
            "type": [
              "string",
              "null"
            ]
          },
          "timeout_at": {
            "type": "string",
            "format": "date-time",
            "description": "RFC 3339 in UTC, milliseconds (2026-11-29T06:30:00.000Z)"
          },
          "last_error": {
            "$ref": "#/components/schemas/ReportedError"
          },
          "timeline": {
            "type": "array",
            "items": {
              "type": "object",
              "properties": {
                "at": {
                  "type": "string",
                  "format": "date-time",
                  "description": "RFC 3339 in UTC, milliseconds (2026-11-29T06:30:00.000Z)"
                },
                "kind": {
                  "type": "string",
                  "enum": [
                    "receipt",
                    "timeout",
                    "result",
                    "alert",
                    "resolution",
                    "replay_requested",
                    "replay_attempt"
                  ]
                },
                "detail": {
                  "type": "string"
                }
              },
              "required": [
                "at",
                "kind",
                "detail"
              ],
              "additionalProperties": false
            }
          },
          "replays": {
            "type": "array",
            "items": {
              "type": "object",
              "properties": {
                "replay_id": {
                  "type": "string",
                  "pattern": "^rpl_"
                },
                "requested_at": {
                  "type": "string",
                  "format": "date-time",
                  "description": "RFC 3339 in UTC, milliseconds (2026-11-29T06:30:00.000Z)"
                },
                "status": {
                  "type": "string",
                  "enum": [
                    "sending",
                    "awaiting_result",
                    "succeeded",
                    "failed",
                    "halted",
                    "exhausted",
                    "timed_out",
                    "superseded",
                    "cancelled"
                  ]
                },
                "next_attempt_at": {
                  "type": [
                    "string",
                    "null"
                  ],
                  "format": "date-time"
                },
                "result_due_at": {
                  "type": [
                    "string",
                    "null"
                  ],
                  "format": "date-time"
                },
                "attempts": {
                  "type": "array",
                  "items": {
                    "$ref": "#/components/schemas/Attempt"
                  }
                }
              },
              "required": [
                "replay_id",
                "requested_at",
                "status",
                "next_attempt_at",
                "result_due_at",
                "attempts"
              ],
              "additionalProperties": false
            }
          },
          "alerts": {
            "type": "array",
            "items": {
              "type": "object",
              "properties": {
                "about": {
                  "type": "string",
                  "enum": [
                    "incident_opened",
                    "replay_failed",
                    "incident_resolved"
                  ]
                },
                "channel": {
                  "type": "string",
                  "enum": [
                    "email",
                    "slack"
                  ]
                },
                "recipients": {
                  "type": "array",
                  "items": {
                    "type": "string"
                  }
                },
                "queued_at": {
                  "type": "string",
                  "format": "date-time",
                  "description": "RFC 3339 in UTC, milliseconds (2026-11-29T06:30:00.000Z)"
                },
                "status": {
                  "type": "string",
                  "enum": [
                    "sending",
                    "sent",
                    "failed"
                  ]
                },
                "next_attempt_at": {
                  "type": [
                    "string",
                    "null"
                  ],
                  "format": "date-time"
                },
                "attempts": {
                  "type": "array",
                  "items": {
                    "$ref": "#/components/schemas/Attempt"
                  }
                }
              },
              "required": [
                "about",
                "channel",
                "recipients",
                "queued_at",
                "status",
                "next_attempt_at",
                "attempts"
              ],
              "additionalProperties": false
            }
          }
        },
        "required": [
          "id",
          "event_id",
          "reason",
          "status",
          "opened_at",
          "resolved_at",
          "resolution",
          "resolution_note",
          "provider",
          "provider_event_id",
          "event_type",
          "effect_type",
          "internal_reference",
          "timeout_at",
          "last_error",
          "timeline",
          "replays",
          "alerts"
        ],
        "additionalProperties": false
      },
      "IncidentPage": {
        "type": "object",
        "properties": {
          "incidents": {
            "type": "array",
            "items": {
              "$ref": "#/components/schemas/Incident"
            }
          },
          "next_cursor": {
            "type": [
              "string",
              "null"
            ],
            "description": "Pass as `cursor` for the next page; null on the last."
          }
        },
        "required": [
          "incidents",
          "next_cursor"
        ],
        "additionalProperties": false
      },
      "ReplayStarted": {
        "type": "object",
        "properties": {
          "replay_id": {
            "type": "string",
            "pattern": "^rpl_"
          },
          "incident_id": {
            "type": "string"
          },
          "status": {
            "type": "string",
            "enum": [
              "reprocessing"
            ]
          }
        },
        "required": [
          "replay_id",
          "incident_id",
          "status"
        ],
        "additionalProperties": false
      },
      "ResolveRequest": {
        "type": "object",
        "properties": {
          "note": {
            "type": "string",
            "minLength": 1,
            "maxLength": 2000
          }
        },
        "required": [],
        "maxProperties": 32
      },
      "BulkReprocessRequest": {
        "type": "object",
        "properties": {
          "effect_type": {
            "type": "string",
            "enum": [
              "access_unlock",
              "credit_grant",
              "seat_update",
              "subscription_state_apply",
              "access_revocation",
              "credit_deduction"
            ]
          },
          "since": {
            "type": "string",
            "format": "date-time",
            "description": "Open incidents opened at or after this instant."
          },
          "until": {
            "type": "string",
            "format": "date-time",
            "description": "... and before this one (later than `since`)."
          },
          "limit": {
            "type": "integer",
            "minimum": 1,
            "maximum": 1000
          }
        },
        "required": [
          "since"
        ],
        "maxProperties": 32
      },
      "BulkReprocessStarted": {
        "type": "object",
        "properties": {
          "count": {
            "type": "integer",
            "minimum": 0
          },
          "truncated": {
            "type": "boolean",
            "description": "More incidents matched than `limit`."
          },
          "replays": {
            "type": "array",
            "items": {
              "type": "object",
              "properties": {
                "incident_id": {
                  "type": "string"
                },
                "replay_id": {
                  "type": "string"
                }
              },
              "required": [
                "incident_id",
                "replay_id"
              ],
              "additionalProperties": false
            }
          }
        },
        "required": [
          "count",
          "truncated",
          "replays"
        ],
        "additionalProperties": false
      },
      "Project": {
        "type": "object",
        "properties": {
          "project_id": {
            "type": "string",
            "pattern": "^prj_"
          },
          "name": {
            "type": "string"
          },
          "mode": {
            "type": "string",
            "enum": [
              "test",
              "live"
            ]
          },
          "repair_url": {
            "type": [
              "string",
              "null"
            ]
          },
          "alert_emails": {
            "type": "array",
            "items": {
              "type": "string"
            }
          },
          "slack_webhook_url": {
            "type": [
              "string",
              "null"
            ]
          },
          "default_timeout_minutes": {
            "type": "integer",
            "minimum": 1,
            "maximum": 10080
          },
          "created_at": {
            "type": "string",
            "format": "date-time",
            "description": "RFC 3339 in UTC, milliseconds (2026-11-29T06:30:00.000Z)"
          },
          "open_incidents": {
            "type": "integer",
            "minimum": 0
          },
          "pending_receipts": {
            "type": "integer",
            "minimum": 0
          }
        },
        "required": [
          "project_id",
          "name",
          "mode",
          "repair_url",
          "alert_emails",
          "slack_webhook_url",
          "default_timeout_minutes",
          "created_at",
          "open_incidents",
          "pending_receipts"
        ],
        "additionalProperties": false
      },
      "ProjectWithSecret": {
        "type": "object",
        "properties": {
          "project_id": {
            "type": "string",
            "pattern": "^prj_"
          },
          "name": {
            "type": "string"
          },
          "mode": {
            "type": "string",
            "enum": [
              "test",
              "live"
            ]
          },
          "repair_url": {
            "type": [
              "string",
              "null"
            ]
          },
          "alert_emails": {
            "type": "array",
            "items": {
              "type": "string"
            }
          },
          "slack_webhook_url": {
            "type": [
              "string",
              "null"
            ]
          },
          "default_timeout_minutes": {
            "type": "integer",
            "minimum": 1,
            "maximum": 10080
          },
          "created_at": {
            "type": "string",
            "format": "date-time",
            "description": "RFC 3339 in UTC, milliseconds (2026-11-29T06:30:00.000Z)"
          },
          "open_incidents": {
            "type": "integer",
            "minimum": 0
          },
          "pending_receipts": {
            "type": "integer",
            "minimum": 0
          },
          "signing_secret": {
            "type": "string",
            "pattern": "^sps_[A-Za-z0-9_-]{43}$"
          }
        },
        "required": [
          "project_id",
          "name",
          "mode",
          "repair_url",
          "alert_emails",
          "slack_webhook_url",
          "default_timeout_minutes",
          "created_at",
          "open_incidents",
          "pending_receipts",
          "signing_secret"
        ],
        "additionalProperties": false
      },
      "ProjectCreated": {
        "type": "object",
        "properties": {
          "project_id": {
            "type": "string",
            "pattern": "^prj_"
          },
          "name": {
            "type": "string"
          },
          "mode": {
            "type": "string",
            "enum": [
              "test",
              "live"
            ]
          },
          "repair_url": {
            "type": [
              "string",
              "null"
            ]
          },
          "alert_emails": {
            "type": "array",
            "items": {
              "type": "string"
            }
          },
          "slack_webhook_url": {
            "type": [
              "string",
              "null"
            ]
          },
          "default_timeout_minutes": {
            "type": "integer",
            "minimum": 1,
            "maximum": 10080
          },
          "created_at": {
            "type": "string",
            "format": "date-time",
            "description": "RFC 3339 in UTC, milliseconds (2026-11-29T06:30:00.000Z)"
          },
          "open_incidents": {
            "type": "integer",
            "minimum": 0
          },
          "pending_receipts": {
            "type": "integer",
            "minimum": 0
          },
          "signing_secret": {
            "type": "string",
            "pattern": "^sps_[A-Za-z0-9_-]{43}$"
          },
          "api_key": {
            "type": "string",
            "pattern": "^sk_[A-Za-z0-9]{40}$",
            "description": "Shown in this answer only."
          },
          "key_id": {
            "type": "string",
            "pattern": "^key_"
          }
        },
        "required": [
          "project_id",
          "name",
          "mode",
          "repair_url",
          "alert_emails",
          "slack_webhook_url",
          "default_timeout_minutes",
          "created_at",
          "open_incidents",
          "pending_receipts",
          "signing_secret",
          "api_key",
          "key_id"
        ],
        "additionalProperties": false,
        "description": "The project, its signing secret, and its first API key (scope `manage`)."
      },
      "ProjectCreate": {
        "type": "object",
        "properties": {
          "name": {
            "type": "string",
            "minLength": 1,
            "maxLength": 200
          },
          "mode": {
            "type": [
              "string",
              "null"
            ],
            "enum": [
              "test",
              "live",
              null
            ]
          },
          "repair_url": {
            "type": [
              "string",
              "null"
            ],
            "minLength": 1,
            "maxLength": 2000,
            "description": "`https://` (or `http://` to loopback, or anything with `--allow-insecure-repair-urls`); null clears it."
          },
          "alert_emails": {
            "type": [
              "array",
              "null"
            ],
            "maxItems": 50,
            "items": {
              "type": "string",
              "minLength": 1,
              "maxLength": 254
            }
          },
          "slack_webhook_url": {
            "type": [
              "string",
              "null"
            ],
            "minLength": 1,
            "maxLength": 2000,
            "description": "`https://` (or `http://` to loopback); null clears it."
          },
          "default_timeout_minutes": {
            "type": [
              "integer",
              "null"
            ],
            "minimum": 1,
            "maximum": 10080
          }
        },
        "required": [
          "name"
        ],
        "maxProperties": 32
      },
      "ProjectUpdate": {
        "type": "object",
        "properties": {
          "name": {
            "type": "string",
            "minLength": 1,
            "maxLength": 200
          },
          "mode": {
            "type": [
              "string",
              "null"
            ],
            "enum": [
              "test",
              "live",
              null
            ]
          },
          "repair_url": {
            "type": [
              "string",
              "null"
            ],
            "minLength": 1,
            "maxLength": 2000,
            "description": "`https://` (or `http://` to loopback, or anything with `--allow-insecure-repair-urls`); null clears it."
          },
          "alert_emails": {
            "type": [
              "array",
              "null"
            ],
            "maxItems": 50,
            "items": {
              "type": "string",
              "minLength": 1,
              "maxLength": 254
            }
          },
          "slack_webhook_url": {
            "type": [
              "string",
              "null"
            ],
            "minLength": 1,
            "maxLength": 2000,
            "description": "`https://` (or `http://` to loopback); null clears it."
          },
          "default_timeout_minutes": {
            "type": [
              "integer",
              "null"
            ],
            "minimum": 1,
            "maximum": 10080
          }
        },
        "required": [],
        "maxProperties": 32,
        "description": "Each member present is a change; null clears an optional setting."
      },
      "Key": {
        "type": "object",
        "properties": {
          "key_id": {
            "type": "string",
            "pattern": "^key_"
          },
          "label": {
            "type": "string"
          },
          "scope": {
            "type": "string",
            "enum": [
              "ingest",
              "manage"
            ]
          },
          "created_at": {
            "type": "string",
            "format": "date-time",
            "description": "RFC 3339 in UTC, milliseconds (2026-11-29T06:30:00.000Z)"
          },
          "last_used_at": {
            "type": [
              "string",
              "null"
            ],
            "format": "date-time"
          },
          "revoked_at": {
            "type": [
              "string",
              "null"
            ],
            "format": "date-time"
          }
        },
        "required": [
          "key_id",
          "label",
          "scope",
          "created_at",
          "last_used_at",
          "revoked_at"
        ],
        "additionalProperties": false,
        "description": "A key as listed: never the key itself."
      },
      "KeyCreated": {
        "type": "object",
        "properties": {
          "api_key": {
            "type": "string",
            "pattern": "^sk_[A-Za-z0-9]{40}$",
            "description": "Shown in this answer only."
          },
          "key_id": {
            "type": "string",
            "pattern": "^key_"
          },
          "label": {
            "type": "string"
          },
          "scope": {
            "type": "string",
            "enum": [
              "ingest",
              "manage"
            ]
          },
          "created_at": {
            "type": "string",
            "format": "date-time",
            "description": "RFC 3339 in UTC, milliseconds (2026-11-29T06:30:00.000Z)"
          },
          "last_used_at": {
            "type": [
              "string",
              "null"
            ],
            "format": "date-time"
          },
          "revoked_at": {
            "type": [
              "string",
              "null"
            ],
            "format": "date-time"
          }
        },
        "required": [
          "api_key",
          "key_id",
          "label",
          "scope",
          "created_at",
          "last_used_at",
          "revoked_at"
        ],
        "additionalProperties": false
      },
      "KeyCreate": {
        "type": "object",
        "properties": {
          "label": {
            "type": "string",
            "minLength": 1,
            "maxLength": 100
          },
          "scope": {
            "type": [
              "string",
              "null"
            ],
            "enum": [
              "ingest",
              "manage",
              null
            ],
            "description": "Default `ingest`."
          }
        },
        "required": [
          "label"
        ],
        "maxProperties": 32
      }
    },
    "responses": {
      "InvalidJSON": {
        "description": "The body is not a JSON object.",
        "content": {
          "application/json": {
            "schema": {
              "allOf": [
                {
                  "$ref": "#/components/schemas/Error"
                },
                {
                  "properties": {
                    "error": {
                      "properties": {
                        "code": {
                          "enum": [
                            "invalid_json"
                          ]
                        }
                      }
                    }
                  }
                }
              ]
            }
          }
        }
      },
      "IngestBadRequest": {
        "description": "The body is not a JSON object, or `Idempotency-Key` is missing or not 1 to 255 visible ASCII characters.",
        "content": {
          "application/json": {
            "schema": {
              "allOf": [
                {
                  "$ref": "#/components/schemas/Error"
                },
                {
                  "properties": {
                    "error": {
                      "properties": {
                        "code": {
                          "enum": [
                            "invalid_json",
                            "missing_idempotency_key"
                          ]
                        }
                      }
                    }
                  }
                }
              ]
            }
          }
        }
      },
      "Unauthorized": {
        "description": "No, malformed, unknown or revoked key or token.",
        "content": {
          "application/json": {
            "schema": {
              "allOf": [
                {
                  "$ref": "#/components/schemas/Error"
                },
                {
                  "properties": {
                    "error": {
                      "properties": {
                        "code": {
                          "enum": [
                            "unauthorized"
                          ]
                        }
                      }
                    }
                  }
                }
              ]
            }
          }
        }
      },
      "Forbidden": {
        "description": "A valid key whose scope does not allow the call (this one needs `manage`).",
        "content": {
          "application/json": {
            "schema": {
              "allOf": [
                {
                  "$ref": "#/components/schemas/Error"
                },
                {
                  "properties": {
                    "error": {
                      "properties": {
                        "code": {
                          "enum": [
                            "forbidden"
                          ]
                        }
                      }
                    }
                  }
                }
              ]
            }
          }
        }
      },
      "NotFound": {
        "description": "No such thing in the caller's project (another project's things look exactly like this).",
        "content": {
          "application/json": {
            "schema": {
              "allOf": [
                {
                  "$ref": "#/components/schemas/Error"
                },
                {
                  "properties": {
                    "error": {
                      "properties": {
                        "code": {
                          "enum": [
                            "not_found"
                          ]
                        }
                      }
                    }
                  }
                }
              ]
            }
          }
        }
      },
      "NotAcceptable": {
        "description": "No `Accept` header at all, or one that excludes `application/json` (`*/*` is fine).",
        "content": {
          "application/json": {
            "schema": {
              "allOf": [
                {
                  "$ref": "#/components/schemas/Error"
                },
                {
                  "properties": {
                    "error": {
                      "properties": {
                        "code": {
                          "enum": [
                            "missing_accept_header",
                            "not_acceptable"
                          ]
                        }
                      }
                    }
                  }
                }
              ]
            }
          }
        }
      },
      "Conflict": {
        "description": "The action does not fit the incident's state (it is resolved), or the project has no repair URL.",
        "content": {
          "application/json": {
            "schema": {
              "allOf": [
                {
                  "$ref": "#/components/schemas/Error"
                },
                {
                  "properties": {
                    "error": {
                      "properties": {
                        "code": {
                          "enum": [
                            "conflict"
                          ]
                        }
                      }
                    }
                  }
                }
              ]
            }
          }
        }
      },
      "PayloadTooLarge": {
        "description": "The body is over `--max-body-bytes` (16 KiB by default), or has more than 32 top-level fields.",
        "content": {
          "application/json": {
            "schema": {
              "allOf": [
                {
                  "$ref": "#/components/schemas/Error"
                },
                {
                  "properties": {
                    "error": {
                      "properties": {
                        "code": {
                          "enum": [
                            "payload_too_large",
                            "too_many_fields"
                          ]
                        }
                      }
                    }
                  }
                }
              ]
            }
          }
        }
      },
      "UnsupportedMediaType": {
        "description": "`Content-Type` is not `application/json`.",
        "content": {
          "application/json": {
            "schema": {
              "allOf": [
                {
                  "$ref": "#/components/schemas/Error"
                },
                {
                  "properties": {
                    "error": {
                      "properties": {
                        "code": {
                          "enum": [
                            "unsupported_media_type"
                          ]
                        }
                      }
                    }
                  }
                }
              ]
            }
          }
        }
      },
      "ValidationError": {
        "description": "A field is missing, of the wrong type, out of range or too long; `field` names it.",
        "content": {
          "application/json": {
            "schema": {
              "allOf": [
                {
                  "$ref": "#/components/schemas/Error"
                },
                {
                  "properties": {
                    "error": {
                      "properties": {
                        "code": {
                          "enum": [
                            "validation_error"
                          ]
                        }
                      }
                    }
                  }
                }
              ]
            }
          }
        }
      },
      "IngestUnprocessable": {
        "description": "A field is missing, of the wrong type, out of range or too long (`field` names it), or the `Idempotency-Key` was used with a different body.",
        "content": {
          "application/json": {
            "schema": {
              "allOf": [
                {
                  "$ref": "#/components/schemas/Error"
                },
                {
                  "properties": {
                    "error": {
                      "properties": {
                        "code": {
                          "enum": [
                            "validation_error",
                            "idempotency_key_reused"
                          ]
                        }
                      }
                    }
                  }
                }
              ]
            }
          }
        }
      },
      "HeadersTooLarge": {
        "description": "The request's header lines are over `--max-header-bytes` in all or more than `--max-header-count`; the connection is closed after this answer.",
        "content": {
          "application/json": {
            "schema": {
              "allOf": [
                {
                  "$ref": "#/components/schemas/Error"
                },
                {
                  "properties": {
                    "error": {
                      "properties": {
                        "code": {
                          "enum": [
                            "headers_too_large"
                          ]
                        }
                      }
                    }
                  }
                }
              ]
            }
          }
        }
      },
      "RateLimited": {
        "description": "The project is over its rate (`--rate-limit`), or holds `--max-pending-per-project` receipts waiting for a result (a new receipt only). `Retry-After` says when to come back.",
        "content": {
          "application/json": {
            "schema": {
              "allOf": [
                {
                  "$ref": "#/components/schemas/Error"
                },
                {
                  "properties": {
                    "error": {
                      "properties": {
                        "code": {
                          "enum": [
                            "rate_limited"
                          ]
                        }
                      }
                    }
                  }
                }
              ]
            }
          }
        },
        "headers": {
          "Retry-After": {
            "description": "Whole seconds to wait before the next try.",
            "required": true,
            "schema": {
              "type": "integer",
              "minimum": 1
            }
          }
        }
      },
      "InternalError": {
        "description": "A bug; retry with the same `Idempotency-Key`.",
        "content": {
          "application/json": {
            "schema": {
              "allOf": [
                {
                  "$ref": "#/components/schemas/Error"
                },
                {
                  "properties": {
                    "error": {
                      "properties": {
                        "code": {
                          "enum": [
                            "internal_error"
                          ]
                        }
                      }
                    }
                  }
                }
              ]
            }
          }
        }
      },
      "Unavailable": {
        "description": "Starting up (recovery not finished) or shutting down.",
        "content": {
          "application/json": {
            "schema": {
              "allOf": [
                {
                  "$ref": "#/components/schemas/Error"
                },
                {
                  "properties": {
                    "error": {
                      "properties": {
                        "code": {
                          "enum": [
                            "unavailable"
                          ]
                        }
                      }
                    }
                  }
                }
              ]
            }
          }
        }
      }
    }
  }
}

"""##
}
