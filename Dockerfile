# Build: docker build -t outreach .
# Run:   docker run --rm -p 8080:8080 -e DATABASE_URL=... -e REDIS_URL=... outreach serve

FROM golang:1.27.3 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags='-s -w' -o /outreach ./cmd/outreach

# static-debian12 ships CA certificates and tzdata (needed for TIMEZONE=Europe/Paris).
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /outreach /outreach
USER nonroot:nonroot
EXPOSE 8080
ENTRYPOINT ["/outreach"]
CMD ["serve"]
